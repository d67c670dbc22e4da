/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * plugin-websocket:
 *
 * WebSocket servers (and clients) as GStreamer elements: websocketsink fans
 * a stream out to every connected client, websocketsrc turns the messages of
 * a client into a live stream.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwebsocketelements.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (websocketsink, plugin);
  ret |= GST_ELEMENT_REGISTER (websocketsrc, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR,
    GST_VERSION_MINOR,
    websocket,
    "WebSocket server and client elements (libsoup-3.0)",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)

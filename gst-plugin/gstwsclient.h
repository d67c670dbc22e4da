/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_CLIENT_H__
#define __GST_WS_CLIENT_H__

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "gstwsloop.h"
#include "gstwssettings.h"

G_BEGIN_DECLS

/* Client mode of both elements: keeps one WebSocket connection to the
 * element's uri open, reconnecting with exponential backoff. */
typedef struct _GstWsClient GstWsClient;

typedef struct
{
  /* Loop thread. A connection is open; the element may keep a ref. */
  void (*connected) (gpointer user_data, SoupWebsocketConnection * conn);
  /* Loop thread. The connection given to connected() is closed. */
  void (*disconnected) (gpointer user_data, SoupWebsocketConnection * conn);
} GstWsClientHooks;

#define GST_WS_CLIENT_BACKOFF_MIN_MS 250
#define GST_WS_CLIENT_BACKOFF_MAX_MS 8000

G_GNUC_INTERNAL
GstWsClient *gst_ws_client_new (GstElement * element, GstWsSettings * settings,
    GstWsLoop * loop, const GstWsClientHooks * hooks, gpointer user_data);

G_GNUC_INTERNAL
gboolean gst_ws_client_start (GstWsClient * client);

G_GNUC_INTERNAL
void gst_ws_client_stop (GstWsClient * client);

G_GNUC_INTERNAL
void gst_ws_client_free (GstWsClient * client);

G_END_DECLS

#endif /* __GST_WS_CLIENT_H__ */

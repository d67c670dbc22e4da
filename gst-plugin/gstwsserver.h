/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_SERVER_H__
#define __GST_WS_SERVER_H__

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "gstwsloop.h"
#include "gstwssettings.h"

G_BEGIN_DECLS

/* The listening side both elements share: binds the socket (with a backlog
 * large enough for a reconnect storm), accepts connections itself
 * (gstwsaccept.h: out of descriptors it refuses them, and it closes those
 * not upgraded within handshake-timeout), lets libsoup parse the upgrade,
 * checks path, token and origin, asks the element whether it takes one more
 * client, and hands over the raw connection once the 101 is on the wire. */
typedef struct _GstWsServer GstWsServer;

typedef struct
{
  /* Server thread. The request passed the path, token and origin checks:
   * return 0 to accept it, or the HTTP status to refuse it with. */
  guint (*admit) (gpointer user_data, SoupServerMessage * msg,
      GHashTable * query);
  /* Server thread. The upgrade is complete; @stream (transfer full) is the
   * client's connection, @query its parsed query (may be NULL). */
  void (*accepted) (gpointer user_data, GIOStream * stream, GUri * uri,
      const gchar * peer, const gchar * origin, GHashTable * query);
} GstWsServerHooks;

#define GST_WS_LISTEN_BACKLOG 4096

G_GNUC_INTERNAL
GstWsServer *gst_ws_server_new (GstElement * element, GstWsSettings * settings,
    GstWsLoop * loop, const GstWsServerHooks * hooks, gpointer user_data);

G_GNUC_INTERNAL
gboolean gst_ws_server_start (GstWsServer * server);

G_GNUC_INTERNAL
void gst_ws_server_stop (GstWsServer * server);

G_GNUC_INTERNAL
void gst_ws_server_free (GstWsServer * server);

G_GNUC_INTERNAL
gchar *gst_ws_describe_peer (GSocketAddress * address);

G_END_DECLS

#endif /* __GST_WS_SERVER_H__ */

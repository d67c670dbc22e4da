/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WEBSOCKET_SINK_H__
#define __GST_WEBSOCKET_SINK_H__

#include <gst/base/gstbasesink.h>
#include <libsoup/soup.h>

#include "gstwsclient.h"
#include "gstwsfanout.h"
#include "gstwsloop.h"
#include "gstwsserver.h"
#include "gstwssettings.h"

G_BEGIN_DECLS

#define GST_TYPE_WEBSOCKET_SINK (gst_websocket_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstWebsocketSink, gst_websocket_sink, GST,
    WEBSOCKET_SINK, GstBaseSink)

#define GST_TYPE_WS_SLOW_CLIENT_POLICY (gst_ws_slow_client_policy_get_type ())
GType gst_ws_slow_client_policy_get_type (void);

struct _GstWebsocketSink
{
  GstBaseSink parent;

  /* Properties, under the object lock. */
  GstWsSettings settings;
  guint max_clients;
  guint64 client_queue_max_time;
  guint64 client_queue_max_bytes;
  GstWsSlowClientPolicy slow_client_policy;
  gboolean merge_buffer_lists;
  guint64 bytes_served;
  gint num_clients;             /* atomic: read on the streaming thread */

  /* The server thread and what only it touches. */
  GstWsLoop loop;
  GstWsServer *server;
  GstWsClient *client;
  GstWsFanout *fanout;
  SoupWebsocketConnection *conn;        /* client mode */

  /* Streaming thread -> server thread hand-over. */
  GMutex pending_lock;
  GQueue pending;               /* GstWsMessage */
  GPtrArray *pending_headers;   /* new stream headers, or NULL */
  GSource *wakeup;
};

G_END_DECLS

#endif /* __GST_WEBSOCKET_SINK_H__ */

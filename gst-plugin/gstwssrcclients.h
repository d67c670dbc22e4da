/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_SRC_CLIENTS_H__
#define __GST_WS_SRC_CLIENTS_H__

#include "gstwebsocketsrc.h"

G_BEGIN_DECLS

/* websocketsrc's clients (gstwssrcclients.c); everything but the calls
 * below runs in the element's server thread. */

G_GNUC_INTERNAL
extern const GstWsServerHooks gst_ws_src_server_hooks;

G_GNUC_INTERNAL
extern const GstWsClientHooks gst_ws_src_client_hooks;

/* Any thread: closes the client with id @talker (code 1003). */
G_GNUC_INTERNAL
void gst_ws_src_clients_reject (GstWebsocketSrc * src, guint talker);

/* Not the server thread: asks every client to close (code 1001). */
G_GNUC_INTERNAL
void gst_ws_src_clients_close_all (GstWebsocketSrc * src);

/* Not the server thread: drops every client at once. */
G_GNUC_INTERNAL
void gst_ws_src_clients_abort_all (GstWebsocketSrc * src);

/* Any thread: the running time of the pipeline clock, or NONE
 * (gstwebsocketsrc.c). */
G_GNUC_INTERNAL
GstClockTime gst_websocket_src_running_time (GstWebsocketSrc * src);

G_END_DECLS

#endif /* __GST_WS_SRC_CLIENTS_H__ */

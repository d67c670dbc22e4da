/* wsaudio - what the launcher knows of the websocket elements
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* The element message a websocketsink posts when its client count changes. */
#define WSA_CLIENTS_MESSAGE "websocketsink-clients"

gboolean wsa_is_websocket_sink (GstElement * element);
gboolean wsa_is_websocket_server (GstElement * element);
gboolean wsa_bin_has_websocket_server (GstBin * bin);
GPtrArray *wsa_find_websocket_servers (GstBin * bin);

guint wsa_websocket_get_clients (GstElement * element);
guint64 wsa_websocket_get_bytes_sent (GstElement * element);
guint64 wsa_websocket_get_bytes_received (GstElement * element);
gint wsa_websocket_get_port (GstElement * element);

G_END_DECLS

/* wsaudio - test helpers: a WebSocket client on the test's main context
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  SoupSession *session;
  SoupWebsocketConnection *conn;
  gboolean closed;
  gushort close_code;
  guint messages;               /* binary or text messages received */
  guint64 bytes;
  gint64 last_message_time;     /* monotonic µs, 0 before any */
  GBytes *last_message;
} WsaTestClient;

WsaTestClient *wsa_test_client_connect (guint port, const gchar * path,
    GError ** error);
void wsa_test_client_close (WsaTestClient * self);
void wsa_test_client_free (WsaTestClient * self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaTestClient, wsa_test_client_free)

G_END_DECLS

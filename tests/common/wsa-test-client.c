/* wsaudio - test helpers: a WebSocket client on the test's main context
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A libsoup-3 client (soup_session_websocket_connect_async) that counts what
 * it receives; the test iterates the main context (WSA_TEST_WAIT_UNTIL) for
 * it to make progress.
 */
#include "wsa-test-client.h"

#include "wsa-test-wait.h"

#define CONNECT_TIMEOUT_MS 5000

typedef struct
{
  gboolean done;
  SoupWebsocketConnection *conn;
  GError *error;
} Connecting;

static void
on_connected (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Connecting *connecting = user_data;

  connecting->conn = soup_session_websocket_connect_finish (SOUP_SESSION
      (source), result, &connecting->error);
  connecting->done = TRUE;
}

static void
on_message (SoupWebsocketConnection * conn, gint type, GBytes * message,
    gpointer user_data)
{
  WsaTestClient *self = user_data;

  self->messages++;
  self->bytes += g_bytes_get_size (message);
  self->last_message_time = g_get_monotonic_time ();
  g_clear_pointer (&self->last_message, g_bytes_unref);
  self->last_message = g_bytes_ref (message);
}

static void
on_closed (SoupWebsocketConnection * conn, gpointer user_data)
{
  WsaTestClient *self = user_data;

  self->closed = TRUE;
  self->close_code = soup_websocket_connection_get_close_code (conn);
}

/* Connects to ws://127.0.0.1:PORT@path, waiting up to 5 s. */
WsaTestClient *
wsa_test_client_connect (guint port, const gchar * path, GError ** error)
{
  g_autofree gchar *uri = g_strdup_printf ("ws://127.0.0.1:%u%s", port,
      path ? path : "/");
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);
  g_autoptr (SoupSession) session = soup_session_new ();
  Connecting connecting = { FALSE, NULL, NULL };
  WsaTestClient *self;

  soup_session_websocket_connect_async (session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, on_connected, &connecting);
  if (!WSA_TEST_WAIT_UNTIL (connecting.done, CONNECT_TIMEOUT_MS)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
        "timed out connecting to %s", uri);
    return NULL;
  }
  if (connecting.conn == NULL) {
    g_propagate_error (error, connecting.error);
    return NULL;
  }
  self = g_new0 (WsaTestClient, 1);
  self->session = g_steal_pointer (&session);
  self->conn = connecting.conn;
  g_signal_connect (self->conn, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->conn, "closed", G_CALLBACK (on_closed), self);
  return self;
}

/* Sends a normal close and waits (up to 5 s) for the closing handshake. */
void
wsa_test_client_close (WsaTestClient * self)
{
  if (self->closed)
    return;
  soup_websocket_connection_close (self->conn,
      SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  WSA_TEST_WAIT_UNTIL (self->closed, CONNECT_TIMEOUT_MS);
}

void
wsa_test_client_free (WsaTestClient * self)
{
  g_signal_handlers_disconnect_by_data (self->conn, self);
  g_object_unref (self->conn);
  g_object_unref (self->session);
  g_clear_pointer (&self->last_message, g_bytes_unref);
  g_free (self);
}

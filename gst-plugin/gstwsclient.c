/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwsclient.h"

GST_DEBUG_CATEGORY_STATIC (ws_client_debug);
#define GST_CAT_DEFAULT ws_client_debug

struct _GstWsClient
{
  GstElement *element;          /* not reffed: the element owns us */
  GstWsSettings *settings;
  GstWsLoop *loop;
  GstWsClientHooks hooks;
  gpointer user_data;

  /* Loop thread only. */
  gchar *uri;
  gchar *token;
  SoupSession *session;
  GCancellable *cancellable;
  SoupWebsocketConnection *conn;
  GSource *retry;
  guint backoff_ms;
  guint attempts;
};

static void connect_now (GstWsClient * client);

GstWsClient *
gst_ws_client_new (GstElement * element, GstWsSettings * settings,
    GstWsLoop * loop, const GstWsClientHooks * hooks, gpointer user_data)
{
  GstWsClient *client = g_new0 (GstWsClient, 1);

  if (ws_client_debug == NULL)
    GST_DEBUG_CATEGORY_INIT (ws_client_debug, "wsclient", 0,
        "WebSocket client mode of websocketsink and websocketsrc");
  client->element = element;
  client->settings = settings;
  client->loop = loop;
  client->hooks = *hooks;
  client->user_data = user_data;
  return client;
}

static gboolean
retry_cb (gpointer data)
{
  GstWsClient *client = data;

  g_clear_pointer (&client->retry, g_source_unref);
  connect_now (client);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (GstWsClient * client)
{
  if (client->cancellable == NULL
      || g_cancellable_is_cancelled (client->cancellable))
    return;
  client->retry = g_timeout_source_new (client->backoff_ms);
  g_source_set_callback (client->retry, retry_cb, client, NULL);
  g_source_attach (client->retry, client->loop->context);
  client->backoff_ms = MIN (client->backoff_ms * 2,
      GST_WS_CLIENT_BACKOFF_MAX_MS);
}

static void
closed_cb (SoupWebsocketConnection * conn, gpointer data)
{
  GstWsClient *client = data;

  GST_INFO_OBJECT (client->element, "connection to %s closed (code %u)",
      client->uri, soup_websocket_connection_get_close_code (conn));
  g_signal_handlers_disconnect_by_data (conn, client);
  client->hooks.disconnected (client->user_data, conn);
  g_clear_object (&client->conn);
  schedule_retry (client);
}

static void
connect_done (GObject * source, GAsyncResult * res, gpointer data)
{
  GstWsClient *client = data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *conn;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), res,
      &error);
  if (conn == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    client->attempts++;
    GST_ELEMENT_WARNING (client->element, RESOURCE, OPEN_READ_WRITE,
        ("Could not connect to %s (attempt %u, next in %u ms): %s",
            client->uri, client->attempts, client->backoff_ms,
            error->message), (NULL));
    schedule_retry (client);
    return;
  }
  GST_INFO_OBJECT (client->element, "connected to %s", client->uri);
  client->conn = conn;
  client->attempts = 0;
  client->backoff_ms = GST_WS_CLIENT_BACKOFF_MIN_MS;
  g_signal_connect (conn, "closed", G_CALLBACK (closed_cb), client);
  client->hooks.connected (client->user_data, conn);
}

static void
connect_now (GstWsClient * client)
{
  g_autoptr (SoupMessage) msg = NULL;

  msg = soup_message_new (SOUP_METHOD_GET, client->uri);
  if (client->token != NULL) {
    g_autofree gchar *bearer = g_strdup_printf ("Bearer %s", client->token);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", bearer);
  }
  soup_session_websocket_connect_async (client->session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, client->cancellable, connect_done, client);
}

static gpointer
start_in_loop (gpointer data)
{
  GstWsClient *client = data;

  client->session = soup_session_new_with_options ("user-agent", "wsaudio ",
      NULL);
  /* No permessage-deflate in either direction. */
  soup_session_remove_feature_by_type (client->session,
      SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  client->cancellable = g_cancellable_new ();
  client->backoff_ms = GST_WS_CLIENT_BACKOFF_MIN_MS;
  connect_now (client);
  return NULL;
}

static gboolean
valid_uri (const gchar * uri)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const gchar *scheme;

  if (parsed == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  return g_ascii_strcasecmp (scheme, "ws") == 0
      || g_ascii_strcasecmp (scheme, "wss") == 0;
}

gboolean
gst_ws_client_start (GstWsClient * client)
{
  GST_OBJECT_LOCK (client->element);
  client->uri = g_strdup (client->settings->uri);
  client->token = g_strdup (client->settings->token);
  GST_OBJECT_UNLOCK (client->element);
  if (!valid_uri (client->uri)) {
    GST_ELEMENT_ERROR (client->element, RESOURCE, NOT_FOUND,
        ("Invalid uri '%s': expected ws://host:port/path or wss://...",
            client->uri), (NULL));
    return FALSE;
  }
  gst_ws_loop_call (client->loop, start_in_loop, client);
  return TRUE;
}

static gpointer
stop_in_loop (gpointer data)
{
  GstWsClient *client = data;

  if (client->cancellable)
    g_cancellable_cancel (client->cancellable);
  if (client->retry) {
    g_source_destroy (client->retry);
    g_clear_pointer (&client->retry, g_source_unref);
  }
  if (client->conn) {
    g_signal_handlers_disconnect_by_data (client->conn, client);
    client->hooks.disconnected (client->user_data, client->conn);
    if (soup_websocket_connection_get_state (client->conn) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (client->conn,
          SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    g_clear_object (&client->conn);
  }
  g_clear_object (&client->cancellable);
  g_clear_object (&client->session);
  g_clear_pointer (&client->uri, g_free);
  g_clear_pointer (&client->token, g_free);
  return NULL;
}

void
gst_ws_client_stop (GstWsClient * client)
{
  gst_ws_loop_call (client->loop, stop_in_loop, client);
}

void
gst_ws_client_free (GstWsClient * client)
{
  g_free (client);
}

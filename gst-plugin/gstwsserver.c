/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gnetworking.h>

#include "gstwsserver.h"
#include "gstwsaccess.h"
#include "gstwsaccept.h"
#include "gstwspeer.h"

GST_DEBUG_CATEGORY_STATIC (ws_server_debug);
#define GST_CAT_DEFAULT ws_server_debug

struct _GstWsServer
{
  GstElement *element;          /* not reffed: the element owns us */
  GstWsSettings *settings;      /* the element's, read under its object lock */
  GstWsLoop *loop;
  GstWsServerHooks hooks;
  gpointer user_data;

  /* Server thread only. */
  SoupServer *soup;
  GstWsAcceptor *acceptor;      /* accepts for soup, times handshakes out */
  GTlsCertificate *tls;
  guint timeout_ms;             /* handshake-timeout */
  GError *error;                /* why start failed, for the element error */
  gchar *error_what;            /* the port or file it concerns */
};

/* What the request handler learnt, carried to the upgrade completion. */
typedef struct
{
  GstWsServer *server;
  GHashTable *query;
  gchar *origin;
} Upgrade;

static void
upgrade_free (Upgrade * up)
{
  g_clear_pointer (&up->query, g_hash_table_unref);
  g_free (up->origin);
  g_free (up);
}

gchar *
gst_ws_describe_peer (GSocketAddress * address)
{
  g_autofree gchar *ip = NULL;
  GInetAddress *inet;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  ip = g_inet_address_to_string (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", ip,
        g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s:%u", ip,
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

/* The access checks, against the element's current settings. */
static guint
check_access (GstWsServer * server, SoupServerMessage * msg,
    const gchar * path, GHashTable * query)
{
  guint status;

  GST_OBJECT_LOCK (server->element);
  status = gst_ws_access_check (server->settings,
      soup_server_message_get_request_headers (msg), path, query);
  GST_OBJECT_UNLOCK (server->element);
  return status;
}

static guint
check_request (GstWsServer * server, SoupServerMessage * msg,
    const gchar * path, GHashTable * query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  guint status;

  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, NULL)) {
    if (soup_message_headers_get_one (headers, "Upgrade") == NULL) {
      soup_message_headers_replace (soup_server_message_get_response_headers
          (msg), "Upgrade", "websocket");
      return 426 /* Upgrade Required */;
    }
    return SOUP_STATUS_BAD_REQUEST;
  }
  status = check_access (server, msg, path, query);
  if (status == 0)
    status = server->hooks.admit (server->user_data, msg, query);
  return status;
}

static void
complete_upgrade (SoupServerMessage * msg, gpointer data)
{
  Upgrade *up = g_object_get_data (G_OBJECT (msg), "gst-ws-upgrade");
  GstWsServer *server = up->server;
  g_autofree gchar *peer = NULL;
  g_autoptr (GUri) uri = NULL;
  GIOStream *stream;

  peer = gst_ws_describe_peer (soup_server_message_get_remote_address (msg));
  uri = g_uri_ref (soup_server_message_get_uri (msg));
  g_object_ref (msg);
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL) {
    gst_ws_acceptor_upgraded (server->acceptor, stream);
    gst_ws_peer_stream_set_message_timeout (stream, server->timeout_ms);
    server->hooks.accepted (server->user_data, stream, uri, peer, up->origin,
        up->query);
  }
  g_object_unref (msg);
}

static void
handle_request (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  GstWsServer *server = data;
  Upgrade *up;
  guint status;

  status = check_request (server, msg, path, query);
  if (status != 0) {
    GST_INFO_OBJECT (server->element, "refusing %s %s from %s: %u",
        soup_server_message_get_method (msg), path,
        soup_server_message_get_remote_host (msg), status);
    /* libsoup has no phrase for 426 and would say "Unknown Error". */
    soup_server_message_set_status (msg, status,
        status == 426 ? "Upgrade Required" : NULL);
    return;
  }
  /* No extensions: permessage-deflate is never negotiated. */
  if (!soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
    return;
  up = g_new0 (Upgrade, 1);
  up->server = server;
  up->query = query ? g_hash_table_ref (query) : NULL;
  up->origin = g_strdup (soup_message_headers_get_one
      (soup_server_message_get_request_headers (msg), "Origin"));
  g_object_set_data_full (G_OBJECT (msg), "gst-ws-upgrade", up,
      (GDestroyNotify) upgrade_free);
  g_signal_connect (msg, "wrote-informational",
      G_CALLBACK (complete_upgrade), NULL);
}

GstWsServer *
gst_ws_server_new (GstElement * element, GstWsSettings * settings,
    GstWsLoop * loop, const GstWsServerHooks * hooks, gpointer user_data)
{
  GstWsServer *server = g_new0 (GstWsServer, 1);

  if (ws_server_debug == NULL)
    GST_DEBUG_CATEGORY_INIT (ws_server_debug, "wsserver", 0,
        "WebSocket server shared by websocketsink and websocketsrc");
  server->element = element;
  server->settings = settings;
  server->loop = loop;
  server->hooks = *hooks;
  server->user_data = user_data;
  return server;
}

static GSocket *
bind_socket (GInetAddress * address, guint16 port, gboolean dual_stack,
    GError ** error)
{
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GSocketAddress) sa = NULL;

  sock = g_socket_new (g_inet_address_get_family (address),
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL)
    return NULL;
  if (dual_stack)
    g_socket_set_option (sock, IPPROTO_IPV6, IPV6_V6ONLY, FALSE, NULL);
  /* libsoup's own listeners use a backlog of 10: too few for thousands of
   * browsers reconnecting at once. The kernel caps it at somaxconn. */
  g_socket_set_listen_backlog (sock, GST_WS_LISTEN_BACKLOG);
  sa = g_inet_socket_address_new (address, port);
  if (!g_socket_bind (sock, sa, TRUE, error) || !g_socket_listen (sock, error))
    return NULL;
  return g_steal_pointer (&sock);
}

/* NULL host: all interfaces, IPv6 and IPv4 on one socket where the kernel
 * has IPv6, else IPv4 only. */
static GSocket *
listen_socket (const gchar * host, guint16 port, GError ** error)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GList) resolved = NULL;
  GSocket *sock;

  if (host == NULL) {
    address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
    sock = bind_socket (address, port, TRUE, NULL);
    if (sock != NULL)
      return sock;
    g_clear_object (&address);
    address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  } else {
    address = g_inet_address_new_from_string (host);
  }
  if (address == NULL) {
    resolved = g_resolver_lookup_by_name (g_resolver_get_default (), host,
        NULL, error);
    if (resolved == NULL)
      return NULL;
    address = g_object_ref (resolved->data);
    g_resolver_free_addresses (g_steal_pointer (&resolved));
  }
  return bind_socket (address, port, FALSE, error);
}

static gboolean
load_tls (GstWsServer * server, const gchar * cert, const gchar * key)
{
  g_autoptr (GTlsCertificate) tls = NULL;

  if (cert == NULL)
    return TRUE;
  if (key != NULL)
    tls = g_tls_certificate_new_from_files (cert, key, &server->error);
  else
    tls = g_tls_certificate_new_from_file (cert, &server->error);
  if (tls == NULL) {
    server->error_what = g_strdup_printf ("TLS certificate '%s'%s%s%s", cert,
        key ? " with key '" : "", key ? key : "", key ? "'" : "");
    return FALSE;
  }
  server->tls = g_steal_pointer (&tls);
  return TRUE;
}

static gpointer
start_in_loop (gpointer data)
{
  GstWsServer *server = data;
  g_autoptr (GSocket) sock = NULL;
  g_autofree gchar *host = NULL, *cert = NULL, *key = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autofree gchar *name = NULL;
  gint port;

  GST_OBJECT_LOCK (server->element);
  host = g_strdup (server->settings->host);
  port = server->settings->port;
  cert = g_strdup (server->settings->tls_certificate);
  key = g_strdup (server->settings->tls_private_key);
  server->timeout_ms = server->settings->handshake_timeout * 1000;
  GST_OBJECT_UNLOCK (server->element);

  server->soup = soup_server_new ("server-header", "wsaudio ", NULL);
  if (!load_tls (server, cert, key))
    return GINT_TO_POINTER (FALSE);
  soup_server_add_handler (server->soup, NULL, handle_request, server, NULL);

  sock = listen_socket (host, port, &server->error);
  if (sock == NULL) {
    server->error_what = g_strdup_printf ("%s:%d", host ? host : "*", port);
    return GINT_TO_POINTER (FALSE);
  }
  local = g_socket_get_local_address (sock, NULL);
  GST_OBJECT_LOCK (server->element);
  server->settings->current_port =
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  GST_OBJECT_UNLOCK (server->element);
  /* Our accept loop, not soup_server_listen_socket() (gstwsaccept.h). */
  name = g_strdup_printf ("%s:%u", host ? host : "*",
      server->settings->current_port);
  server->acceptor = gst_ws_acceptor_new (sock, server->soup, server->tls,
      server->timeout_ms, name);
  GST_INFO_OBJECT (server->element, "listening on %s:%u%s",
      host ? host : "*", server->settings->current_port,
      cert ? " (TLS)" : "");
  return GINT_TO_POINTER (TRUE);
}

static gpointer
stop_in_loop (gpointer data)
{
  GstWsServer *server = data;

  g_clear_pointer (&server->acceptor, gst_ws_acceptor_free);
  g_clear_object (&server->tls);
  if (server->soup != NULL) {
    soup_server_disconnect (server->soup);
    g_clear_object (&server->soup);
  }
  return NULL;
}

/* Binds and listens in the server thread; on failure posts an element error
 * that names the port or file and returns FALSE. */
gboolean
gst_ws_server_start (GstWsServer * server)
{
  gboolean ok;

  ok = GPOINTER_TO_INT (gst_ws_loop_call (server->loop, start_in_loop, server));
  if (ok)
    return TRUE;
  if (server->error_what && g_str_has_prefix (server->error_what, "TLS"))
    GST_ELEMENT_ERROR (server->element, RESOURCE, OPEN_READ,
        ("Could not load %s: %s", server->error_what, server->error->message),
        (NULL));
  else
    GST_ELEMENT_ERROR (server->element, RESOURCE, OPEN_READ_WRITE,
        ("Could not listen on %s: %s", server->error_what,
            server->error->message), (NULL));
  g_clear_error (&server->error);
  g_clear_pointer (&server->error_what, g_free);
  gst_ws_loop_call (server->loop, stop_in_loop, server);
  return FALSE;
}

void
gst_ws_server_stop (GstWsServer * server)
{
  gst_ws_loop_call (server->loop, stop_in_loop, server);
  GST_OBJECT_LOCK (server->element);
  server->settings->current_port = 0;
  GST_OBJECT_UNLOCK (server->element);
}

void
gst_ws_server_free (GstWsServer * server)
{
  g_free (server);
}

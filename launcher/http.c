/* wsaudio - the --http status server
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A libsoup SoupServer in the main context serving two documents:
 *   GET /healthz  200 (all well) or 503 (a pipeline or process is restarting
 *                 or failed) with a JSON body
 *   GET /metrics  Prometheus text format
 * ADDR:PORT is an IP address (IPv6 in brackets) or nothing for all
 * interfaces, and a port; port 0 picks a free port, which the "listening on"
 * log line shows.
 */
#include "http.h"

#include "config.h"
#include "log.h"
#include "report.h"

#include <libsoup/soup.h>
#include <string.h>

struct _WsaHttp
{
  SoupServer *server;
  WsaHttpSource source;
  gpointer user_data;
};

static gboolean
split_address (const gchar * text, gchar ** host, guint16 * port)
{
  const gchar *colon = strrchr (text, ':');
  g_autofree gchar *h = NULL;
  guint64 p;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0,
          G_MAXUINT16, &p, NULL))
    return FALSE;
  h = g_strndup (text, colon - text);
  if (h[0] == '[' && g_str_has_suffix (h, "]")) {
    memmove (h, h + 1, strlen (h));
    h[strlen (h) - 1] = '\0';
  } else if (strchr (h, ':')) {
    return FALSE;
  }
  *host = g_steal_pointer (&h);
  *port = (guint16) p;
  return TRUE;
}

/* Parses ADDR:PORT; ":PORT" gives the IPv6 "any" address, which means
 * all interfaces (IPv4 and IPv6). */
gboolean
wsa_http_parse_address (const gchar * text, GInetSocketAddress ** address,
    GError ** error)
{
  g_autofree gchar *host = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  guint16 port;

  *address = NULL;
  if (!split_address (text, &host, &port))
    goto invalid;
  if (host[0] == '\0')
    inet = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
  else if (g_str_equal (host, "localhost"))
    inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    goto invalid;
  *address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (inet, port));
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
      "invalid address \"%s\" (expected ADDR:PORT, e.g. 127.0.0.1:9090, "
      "[::1]:9090 or :9090)", text);
  return FALSE;
}

static void
respond (SoupServerMessage * msg, guint status, const gchar * type,
    gchar * body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_TAKE, body,
      strlen (body));
}

static gboolean
check_method (SoupServerMessage * msg)
{
  const gchar *method = soup_server_message_get_method (msg);

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return TRUE;
  respond (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain",
      g_strdup ("only GET\n"));
  return FALSE;
}

static void
serve_healthz (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  WsaHttp *self = user_data;
  GPtrArray *pipelines, *processes;
  gboolean healthy;
  gchar *body;

  if (!check_method (msg))
    return;
  self->source (self->user_data, &pipelines, &processes);
  body = wsa_report_health (pipelines, processes, &healthy);
  respond (msg, healthy ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE,
      "application/json", body);
}

static void
serve_metrics (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  WsaHttp *self = user_data;
  GPtrArray *pipelines, *processes;

  if (!check_method (msg))
    return;
  self->source (self->user_data, &pipelines, &processes);
  respond (msg, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8",
      wsa_report_metrics (pipelines, processes));
}

static gboolean
start_listening (WsaHttp * self, GInetSocketAddress * address, GError ** error)
{
  GInetAddress *inet = g_inet_socket_address_get_address (address);
  guint16 port = g_inet_socket_address_get_port (address);

  if (g_inet_address_get_is_any (inet))
    return soup_server_listen_all (self->server, port, 0, error);
  return soup_server_listen (self->server, G_SOCKET_ADDRESS (address), 0,
      error);
}

WsaHttp *
wsa_http_new (const gchar * address, WsaHttpSource source,
    gpointer user_data, GError ** error)
{
  g_autoptr (GInetSocketAddress) sockaddr = NULL;
  g_autoptr (WsaHttp) self = NULL;
  g_autofree gchar *where = NULL;

  if (!wsa_http_parse_address (address, &sockaddr, error))
    return NULL;
  self = g_new0 (WsaHttp, 1);
  self->source = source;
  self->user_data = user_data;
  self->server = soup_server_new ("server-header", PACKAGE "/" VERSION, NULL);
  soup_server_add_handler (self->server, "/healthz", serve_healthz, self, NULL);
  soup_server_add_handler (self->server, "/metrics", serve_metrics, self, NULL);
  if (!start_listening (self, sockaddr, error))
    return NULL;
  where = wsa_http_describe (self);
  wsa_log ("http: listening on %s", where);
  return g_steal_pointer (&self);
}

void
wsa_http_free (WsaHttp * self)
{
  if (self->server)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self);
}

/* The bound URIs, space separated. */
gchar *
wsa_http_describe (WsaHttp * self)
{
  GSList *uris = soup_server_get_uris (self->server);
  g_autoptr (GString) out = g_string_new (NULL);
  GSList *l;

  for (l = uris; l; l = l->next) {
    g_autofree gchar *uri = g_uri_to_string (l->data);

    g_string_append_printf (out, "%s%s", out->len ? " " : "", uri);
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* wsaudio - `wsaudio health`: asks a running wsaudio for /healthz
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A container HEALTHCHECK needs an HTTP client, and the image has none but
 * libsoup, which wsaudio links anyway.  ADDR:PORT is written as for --http
 * (http.c parses both), so the value given to --http can be given here; an
 * "all interfaces" address (":PORT", "0.0.0.0:PORT", "[::]:PORT"), on which
 * --http listens on IPv4 and IPv6, means 127.0.0.1.  The request is
 * synchronous, with no proxy, and times out after WSA_HEALTH_TIMEOUT_S
 * seconds of silence from the server (to connect, and for each read).
 */
#include "health.h"

#include "config.h"
#include "http.h"

#include <libsoup/soup.h>

/* http://HOST:PORT/healthz for ADDR:PORT. */
gchar *
wsa_health_url (const gchar * address, GError ** error)
{
  g_autoptr (GInetSocketAddress) sockaddr = NULL;
  g_autoptr (GInetAddress) host = NULL;
  g_autofree gchar *text = NULL;
  GInetAddress *inet;

  if (!wsa_http_parse_address (address, &sockaddr, error))
    return NULL;
  inet = g_inet_socket_address_get_address (sockaddr);
  if (g_inet_address_get_is_any (inet))
    host = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    host = g_object_ref (inet);
  text = g_inet_address_to_string (host);
  if (g_inet_address_get_family (host) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("http://[%s]:%u/healthz", text,
        g_inet_socket_address_get_port (sockaddr));
  return g_strdup_printf ("http://%s:%u/healthz", text,
      g_inet_socket_address_get_port (sockaddr));
}

/* GET @url: FALSE if no HTTP response came, else its status and body. */
gboolean
wsa_health_get (const gchar * url, guint * status, gchar ** body,
    GError ** error)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout",
      WSA_HEALTH_TIMEOUT_S, "user-agent", PACKAGE "/" VERSION, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr (GBytes) bytes = NULL;

  soup_session_set_proxy_resolver (session, NULL);
  bytes = soup_session_send_and_read (session, msg, NULL, error);
  if (bytes == NULL)
    return FALSE;
  *status = soup_message_get_status (msg);
  *body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return TRUE;
}

/* wsaudio — fuzz targets
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* The checks of a WebSocket upgrade request (gstwsaccess.c: path, token,
 * origin) on raw HTTP that libsoup's own parser reads
 * (soup_headers_parse_request()), with the request URI, path and query
 * made the way SoupServer makes them for its handlers (libsoup 3.2,
 * soup-server-message-io-http1.c parse_headers() and soup-server.c). The
 * handshake headers themselves are libsoup's check, not fuzzed here.
 *
 * Input: the request head, e.g. "GET /?token=x HTTP/1.1\r\nHost: ...".
 * Each request is checked against a few settings: none (all accepted),
 * fixed ones, and ones the request itself names in X-Fuzz-Path,
 * X-Fuzz-Token and X-Fuzz-Origins headers, so that the fuzzer can reach
 * matching tokens. Checks, besides memory safety: a request passes only
 * with the path, the exact token and an allowed origin; the constant-time
 * token comparison agrees with strcmp(). */
#include <string.h>
#include <libsoup/soup.h>

#include "gstwsaccess.h"
#include "gstwssrcpayload.h"
#include "fuzz-common.h"

/* libsoup's private SOUP_HTTP_URI_FLAGS. */
#define HTTP_URI_FLAGS (G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_PATH \
    | G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_ENCODED_FRAGMENT \
    | G_URI_FLAGS_SCHEME_NORMALIZE)

static GstCaps *default_caps;

/* The request URI as SoupServer builds it, or NULL where it answers 400
 * (or handles the request itself) before any handler runs. */
static GUri *
request_uri (const gchar * method, const gchar * target,
    SoupHTTPVersion version, SoupMessageHeaders * headers)
{
  const gchar *host = soup_message_headers_get_one (headers, "Host");
  g_autofree gchar *url = NULL, *decoded = NULL;
  GUri *uri;

  if ((host && strchr (host, '/')) || strcmp (method, "CONNECT") == 0
      || strcmp (target, "*") == 0)
    return NULL;
  if (*target != '/') {
    uri = g_uri_parse (target, HTTP_URI_FLAGS, NULL);
  } else if (host != NULL) {
    url = g_strdup_printf ("http://%s%s", host, target);
    uri = g_uri_parse (url, HTTP_URI_FLAGS, NULL);
  } else if (version == SOUP_HTTP_1_0) {
    /* The local address stands in for the host. */
    uri = g_uri_build (HTTP_URI_FLAGS, "http", NULL, "127.0.0.1", -1, target,
        NULL, NULL);
  } else {
    return NULL;
  }
  if (uri == NULL)
    return NULL;
  decoded = g_uri_unescape_string (g_uri_get_path (uri), NULL);
  if (g_uri_get_host (uri) == NULL || decoded == NULL
      || strstr (decoded, "/../") || g_str_has_suffix (decoded, "/..")) {
    g_uri_unref (uri);
    return NULL;
  }
  return uri;
}

static gboolean
origin_listed (const gchar * list, const gchar * origin)
{
  g_auto (GStrv) entries = NULL;
  guint i;

  if (list == NULL || *list == '\0')
    return TRUE;
  if (origin == NULL)
    return FALSE;
  entries = g_strsplit (list, ",", -1);
  for (i = 0; entries[i]; i++) {
    g_strstrip (entries[i]);
    if (strcmp (entries[i], "*") == 0
        || g_ascii_strcasecmp (entries[i], origin) == 0)
      return TRUE;
  }
  return FALSE;
}

static void
check (const GstWsSettings * s, SoupMessageHeaders * headers,
    const gchar * path, GHashTable * query)
{
  guint status = gst_ws_access_check (s, headers, path, query);
  const gchar *token = query ? g_hash_table_lookup (query, "token") : NULL;
  const gchar *bearer = gst_ws_access_bearer_token (headers);

  if (token == NULL)
    token = bearer;
  if (bearer != NULL)
    g_assert (bearer[0] != ' ');
  if (token != NULL && s->token != NULL)
    g_assert (gst_ws_settings_token_matches (s->token, token)
        == (strcmp (s->token, token) == 0));
  g_assert (status == 0 || status == SOUP_STATUS_NOT_FOUND
      || status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN);
  if (status != 0)
    return;
  g_assert (s->path == NULL || strcmp (s->path, path) == 0);
  g_assert (s->token == NULL || (token && strcmp (s->token, token) == 0));
  g_assert (origin_listed (s->allowed_origins,
          soup_message_headers_get_one (headers, "Origin")));
}

static void
check_all (SoupMessageHeaders * headers, const gchar * path, GHashTable * query)
{
  GstWsSettings open = { 0 }, fixed = { 0 }, named = { 0 };
  GstCaps *caps;

  g_assert_cmpuint (gst_ws_access_check (&open, headers, path, query), ==, 0);
  fixed.path = (gchar *) "/";
  fixed.token = (gchar *) "s3cret";
  fixed.allowed_origins =
      (gchar *) "https://desk.example.com, http://localhost:8080";
  check (&fixed, headers, path, query);
  /* As the settings keep them: empty is unset. */
  named.path = (gchar *) soup_message_headers_get_one (headers, "X-Fuzz-Path");
  named.token = (gchar *) soup_message_headers_get_one (headers,
      "X-Fuzz-Token");
  named.allowed_origins = (gchar *) soup_message_headers_get_one (headers,
      "X-Fuzz-Origins");
  if (named.path && !*named.path)
    named.path = NULL;
  if (named.token && !*named.token)
    named.token = NULL;
  check (&named, headers, path, query);
  /* What websocketsrc's admit hook does next. */
  caps = gst_ws_src_declared_caps (default_caps, query);
  gst_clear_caps (&caps);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  SoupMessageHeaders *headers =
      soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree gchar *method = NULL, *target = NULL;
  SoupHTTPVersion version;
  GUri *uri;
  GHashTable *query = NULL;

  if (size > G_MAXINT
      || soup_headers_parse_request ((const gchar *) data, size, headers,
          &method, &target, &version) != SOUP_STATUS_OK)
    goto out;
  uri = request_uri (method, target, version, headers);
  if (uri == NULL)
    goto out;
  if (g_uri_get_query (uri) != NULL)
    query = soup_form_decode (g_uri_get_query (uri));
  check_all (headers, g_uri_get_path (uri), query);
  g_clear_pointer (&query, g_hash_table_unref);
  g_uri_unref (uri);
out:
  soup_message_headers_unref (headers);
  return 0;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  default_caps = gst_caps_from_string ("audio/x-raw,format=F32LE,"
      "rate=44100,channels=1,layout=interleaved");
  return 0;
}

/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* The access checks of the upgrade request, apart from the server so that
 * they can be fuzzed on requests libsoup's own parser read. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwsaccess.h"

const gchar *
gst_ws_access_bearer_token (SoupMessageHeaders * headers)
{
  const gchar *auth;

  auth = soup_message_headers_get_one (headers, "Authorization");
  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return NULL;
  auth += 7;
  while (*auth == ' ')
    auth++;
  return auth;
}

guint
gst_ws_access_check (const GstWsSettings * s, SoupMessageHeaders * headers,
    const gchar * path, GHashTable * query)
{
  const gchar *origin, *presented;

  origin = soup_message_headers_get_one (headers, "Origin");
  presented = query ? g_hash_table_lookup (query, "token") : NULL;
  if (presented == NULL)
    presented = gst_ws_access_bearer_token (headers);

  if (s->path != NULL && g_strcmp0 (s->path, path) != 0)
    return SOUP_STATUS_NOT_FOUND;
  if (!gst_ws_settings_token_matches (s->token, presented))
    return SOUP_STATUS_UNAUTHORIZED;
  if (!gst_ws_settings_origin_allowed (s->allowed_origins, origin))
    return SOUP_STATUS_FORBIDDEN;
  return 0;
}

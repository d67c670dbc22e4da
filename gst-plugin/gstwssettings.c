/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* The endpoint properties websocketsink and websocketsrc share: where to
 * listen (or which server to connect to), who may connect, and TLS. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstwssettings.h"

#define PARAM_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_READY)

void
gst_ws_settings_install_properties (GObjectClass * klass)
{
  g_object_class_install_property (klass, GST_WS_PROP_HOST,
      g_param_spec_string ("host", "Host",
          "Address to listen on (NULL = all interfaces)",
          GST_WS_DEFAULT_HOST, PARAM_FLAGS));
  g_object_class_install_property (klass, GST_WS_PROP_PORT,
      g_param_spec_int ("port", "Port",
          "TCP port to listen on (0 = any free port, see current-port)",
          0, 65535, GST_WS_DEFAULT_PORT, PARAM_FLAGS));
  g_object_class_install_property (klass, GST_WS_PROP_CURRENT_PORT,
      g_param_spec_int ("current-port", "Current port",
          "The port the server is bound to (0 = not listening)",
          0, 65535, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (klass, GST_WS_PROP_PATH,
      g_param_spec_string ("path", "Path",
          "Request path clients must use (NULL = any path, as reverse "
          "proxies rewrite it); others get HTTP 404",
          GST_WS_DEFAULT_PATH, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (klass, GST_WS_PROP_TOKEN,
      g_param_spec_string ("token", "Token",
          "Secret a client must present as ?token= or an "
          "'Authorization: Bearer' header (NULL = no check); others get "
          "HTTP 401. In client mode it is sent as a Bearer header. "
          "Never logged",
          GST_WS_DEFAULT_TOKEN, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (klass, GST_WS_PROP_ALLOWED_ORIGINS,
      g_param_spec_string ("allowed-origins", "Allowed origins",
          "Comma-separated Origin values accepted, e.g. "
          "'https://desk.example.com' (NULL or empty = any); others get "
          "HTTP 403",
          GST_WS_DEFAULT_ALLOWED_ORIGINS, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (klass, GST_WS_PROP_TLS_CERTIFICATE,
      g_param_spec_string ("tls-certificate", "TLS certificate",
          "PEM file with the server certificate (chain); set to serve wss://",
          GST_WS_DEFAULT_TLS_CERTIFICATE, PARAM_FLAGS));
  g_object_class_install_property (klass, GST_WS_PROP_TLS_PRIVATE_KEY,
      g_param_spec_string ("tls-private-key", "TLS private key",
          "PEM file with the private key (NULL = in the certificate file)",
          GST_WS_DEFAULT_TLS_PRIVATE_KEY, PARAM_FLAGS));
  g_object_class_install_property (klass, GST_WS_PROP_URI,
      g_param_spec_string ("uri", "URI",
          "Client mode: ws:// or wss:// URI of a remote server to connect "
          "to instead of listening (reconnects with backoff)",
          GST_WS_DEFAULT_URI, PARAM_FLAGS));
  g_object_class_install_property (klass, GST_WS_PROP_HANDSHAKE_TIMEOUT,
      g_param_spec_uint ("handshake-timeout", "Handshake timeout",
          "Seconds a client may take from connecting to completing the "
          "WebSocket upgrade, and to finish a message it started sending; "
          "then it is disconnected (0 = no limit)",
          0, 3600, GST_WS_DEFAULT_HANDSHAKE_TIMEOUT, PARAM_FLAGS));
}

void
gst_ws_settings_init (GstWsSettings * s)
{
  memset (s, 0, sizeof (*s));
  s->host = g_strdup (GST_WS_DEFAULT_HOST);
  s->port = GST_WS_DEFAULT_PORT;
  s->path = g_strdup (GST_WS_DEFAULT_PATH);
  s->token = g_strdup (GST_WS_DEFAULT_TOKEN);
  s->allowed_origins = g_strdup (GST_WS_DEFAULT_ALLOWED_ORIGINS);
  s->tls_certificate = g_strdup (GST_WS_DEFAULT_TLS_CERTIFICATE);
  s->tls_private_key = g_strdup (GST_WS_DEFAULT_TLS_PRIVATE_KEY);
  s->uri = g_strdup (GST_WS_DEFAULT_URI);
  s->handshake_timeout = GST_WS_DEFAULT_HANDSHAKE_TIMEOUT;
}

void
gst_ws_settings_clear (GstWsSettings * s)
{
  g_clear_pointer (&s->host, g_free);
  g_clear_pointer (&s->path, g_free);
  g_clear_pointer (&s->token, g_free);
  g_clear_pointer (&s->allowed_origins, g_free);
  g_clear_pointer (&s->tls_certificate, g_free);
  g_clear_pointer (&s->tls_private_key, g_free);
  g_clear_pointer (&s->uri, g_free);
}

void
gst_ws_settings_copy (GstWsSettings * dest, const GstWsSettings * src)
{
  dest->host = g_strdup (src->host);
  dest->port = src->port;
  dest->current_port = src->current_port;
  dest->path = g_strdup (src->path);
  dest->token = g_strdup (src->token);
  dest->allowed_origins = g_strdup (src->allowed_origins);
  dest->tls_certificate = g_strdup (src->tls_certificate);
  dest->tls_private_key = g_strdup (src->tls_private_key);
  dest->uri = g_strdup (src->uri);
  dest->handshake_timeout = src->handshake_timeout;
}

static gchar **
string_field (GstWsSettings * s, guint prop_id)
{
  switch (prop_id) {
    case GST_WS_PROP_HOST:
      return &s->host;
    case GST_WS_PROP_PATH:
      return &s->path;
    case GST_WS_PROP_TOKEN:
      return &s->token;
    case GST_WS_PROP_ALLOWED_ORIGINS:
      return &s->allowed_origins;
    case GST_WS_PROP_TLS_CERTIFICATE:
      return &s->tls_certificate;
    case GST_WS_PROP_TLS_PRIVATE_KEY:
      return &s->tls_private_key;
    case GST_WS_PROP_URI:
      return &s->uri;
    default:
      return NULL;
  }
}

/* Returns FALSE when @prop_id is not one of the shared properties. */
gboolean
gst_ws_settings_set_property (GstWsSettings * s, GstObject * obj,
    guint prop_id, const GValue * value)
{
  gchar **field;

  if (prop_id == GST_WS_PROP_PORT) {
    GST_OBJECT_LOCK (obj);
    s->port = g_value_get_int (value);
    GST_OBJECT_UNLOCK (obj);
    return TRUE;
  }
  if (prop_id == GST_WS_PROP_HANDSHAKE_TIMEOUT) {
    GST_OBJECT_LOCK (obj);
    s->handshake_timeout = g_value_get_uint (value);
    GST_OBJECT_UNLOCK (obj);
    return TRUE;
  }
  field = string_field (s, prop_id);
  if (field == NULL)
    return FALSE;
  GST_OBJECT_LOCK (obj);
  g_free (*field);
  *field = g_value_dup_string (value);
  /* An empty string means "unset" for every optional string here. */
  if (*field != NULL && **field == '\0')
    g_clear_pointer (field, g_free);
  GST_OBJECT_UNLOCK (obj);
  return TRUE;
}

gboolean
gst_ws_settings_get_property (GstWsSettings * s, GstObject * obj,
    guint prop_id, GValue * value)
{
  gchar **field;

  GST_OBJECT_LOCK (obj);
  if (prop_id == GST_WS_PROP_PORT) {
    g_value_set_int (value, s->port);
  } else if (prop_id == GST_WS_PROP_CURRENT_PORT) {
    g_value_set_int (value, s->current_port);
  } else if (prop_id == GST_WS_PROP_HANDSHAKE_TIMEOUT) {
    g_value_set_uint (value, s->handshake_timeout);
  } else if ((field = string_field (s, prop_id)) != NULL) {
    g_value_set_string (value, *field);
  } else {
    GST_OBJECT_UNLOCK (obj);
    return FALSE;
  }
  GST_OBJECT_UNLOCK (obj);
  return TRUE;
}

gboolean
gst_ws_settings_origin_allowed (const gchar * allowed_origins,
    const gchar * origin)
{
  g_auto (GStrv) list = NULL;
  guint i;

  if (allowed_origins == NULL || *allowed_origins == '\0')
    return TRUE;
  if (origin == NULL)
    return FALSE;
  list = g_strsplit (allowed_origins, ",", -1);
  for (i = 0; list[i] != NULL; i++) {
    const gchar *entry = g_strstrip (list[i]);

    if (g_strcmp0 (entry, "*") == 0 || g_ascii_strcasecmp (entry, origin) == 0)
      return TRUE;
  }
  return FALSE;
}

/* Compares in time independent of where the strings first differ, so the
 * token cannot be guessed byte by byte from response times. */
gboolean
gst_ws_settings_token_matches (const gchar * token, const gchar * presented)
{
  gsize len, plen, i;
  guint8 diff;

  if (token == NULL)
    return TRUE;
  if (presented == NULL)
    return FALSE;
  len = strlen (token);
  plen = strlen (presented);
  diff = (len != plen);
  for (i = 0; i < plen; i++)
    diff |= (guint8) presented[i] ^ (guint8) token[len ? i % len : 0];
  return diff == 0;
}

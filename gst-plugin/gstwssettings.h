/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_SETTINGS_H__
#define __GST_WS_SETTINGS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* Properties both websocketsink and websocketsrc have, with the same ids so
 * the elements install and handle them through the helpers below. Element
 * specific property ids start at GST_WS_PROP_LAST. */
enum
{
  GST_WS_PROP_0,
  GST_WS_PROP_HOST,
  GST_WS_PROP_PORT,
  GST_WS_PROP_CURRENT_PORT,
  GST_WS_PROP_PATH,
  GST_WS_PROP_TOKEN,
  GST_WS_PROP_ALLOWED_ORIGINS,
  GST_WS_PROP_TLS_CERTIFICATE,
  GST_WS_PROP_TLS_PRIVATE_KEY,
  GST_WS_PROP_URI,
  GST_WS_PROP_HANDSHAKE_TIMEOUT,
  GST_WS_PROP_LAST
};

#define GST_WS_DEFAULT_HOST NULL
#define GST_WS_DEFAULT_PORT 0
#define GST_WS_DEFAULT_PATH NULL
#define GST_WS_DEFAULT_TOKEN NULL
#define GST_WS_DEFAULT_ALLOWED_ORIGINS NULL
#define GST_WS_DEFAULT_TLS_CERTIFICATE NULL
#define GST_WS_DEFAULT_TLS_PRIVATE_KEY NULL
#define GST_WS_DEFAULT_URI NULL
#define GST_WS_DEFAULT_HANDSHAKE_TIMEOUT 10

/* A snapshot of the endpoint configuration; the element keeps one under its
 * object lock and hands a copy to the server thread at start. */
typedef struct
{
  gchar *host;
  gint port;
  gint current_port;
  gchar *path;
  gchar *token;
  gchar *allowed_origins;
  gchar *tls_certificate;
  gchar *tls_private_key;
  gchar *uri;
  guint handshake_timeout;      /* seconds, 0 = none */
} GstWsSettings;

G_GNUC_INTERNAL
void gst_ws_settings_install_properties (GObjectClass * klass);

G_GNUC_INTERNAL
void gst_ws_settings_init (GstWsSettings * s);

G_GNUC_INTERNAL
void gst_ws_settings_clear (GstWsSettings * s);

G_GNUC_INTERNAL
void gst_ws_settings_copy (GstWsSettings * dest, const GstWsSettings * src);

G_GNUC_INTERNAL
gboolean gst_ws_settings_set_property (GstWsSettings * s, GstObject * obj,
    guint prop_id, const GValue * value);

G_GNUC_INTERNAL
gboolean gst_ws_settings_get_property (GstWsSettings * s, GstObject * obj,
    guint prop_id, GValue * value);

G_GNUC_INTERNAL
gboolean gst_ws_settings_origin_allowed (const gchar * allowed_origins,
    const gchar * origin);

G_GNUC_INTERNAL
gboolean gst_ws_settings_token_matches (const gchar * token,
    const gchar * presented);

G_END_DECLS

#endif /* __GST_WS_SETTINGS_H__ */

/* wsaudio - the --http status server
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _WsaHttp WsaHttp;

/* Gives the current pipeline and process supervisors (borrowed). */
typedef void (*WsaHttpSource) (gpointer user_data, GPtrArray ** pipelines,
    GPtrArray ** processes);

gboolean wsa_http_parse_address (const gchar * text,
    GInetSocketAddress ** address, GError ** error);

WsaHttp *wsa_http_new (const gchar * address, WsaHttpSource source,
    gpointer user_data, GError ** error);
void wsa_http_free (WsaHttp * self);
gchar *wsa_http_describe (WsaHttp * self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaHttp, wsa_http_free)

G_END_DECLS

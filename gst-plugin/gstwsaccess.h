/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_ACCESS_H__
#define __GST_WS_ACCESS_H__

#include <libsoup/soup.h>

#include "gstwssettings.h"

G_BEGIN_DECLS

/* Who may upgrade: the path, token and origin checks of a WebSocket upgrade
 * request, on what libsoup parsed of it. No I/O and no locking: the caller
 * holds whatever protects @settings. */

/* The token of an 'Authorization: Bearer' header, or NULL; points into
 * @headers. */
G_GNUC_INTERNAL
const gchar *gst_ws_access_bearer_token (SoupMessageHeaders * headers);

/* 0 when the request may go on, else the HTTP status to refuse it with:
 * 404 for another path, 401 without the token (?token= or Bearer), 403
 * for an origin not allowed. @query may be NULL. */
G_GNUC_INTERNAL
guint gst_ws_access_check (const GstWsSettings * settings,
    SoupMessageHeaders * headers, const gchar * path, GHashTable * query);

G_END_DECLS

#endif /* __GST_WS_ACCESS_H__ */

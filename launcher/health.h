/* wsaudio - `wsaudio health`: asks a running wsaudio for /healthz
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The status server of the container image: WSAUDIO_HTTP_PORT's default,
 * on the loopback interface. */
#define WSA_HEALTH_DEFAULT_ADDRESS "127.0.0.1:29790"
#define WSA_HEALTH_TIMEOUT_S 2

gchar *wsa_health_url (const gchar * address, GError ** error);
gboolean wsa_health_get (const gchar * url, guint * status, gchar ** body,
    GError ** error);

G_END_DECLS

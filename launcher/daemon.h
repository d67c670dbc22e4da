/* wsaudio - the running process: pipelines, signals, status server
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _WsaDaemon WsaDaemon;

WsaDaemon *wsa_daemon_new (const gchar * const *paths,
    const gchar * http_address, guint watchdog_s);
void wsa_daemon_free (WsaDaemon * self);
int wsa_daemon_run (WsaDaemon * self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaDaemon, wsa_daemon_free)

G_END_DECLS

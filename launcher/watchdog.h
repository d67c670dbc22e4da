/* wsaudio - exits when the main loop stops turning
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _WsaWatchdog WsaWatchdog;

WsaWatchdog *wsa_watchdog_new (guint timeout_s, int exit_status);
void wsa_watchdog_free (WsaWatchdog * self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaWatchdog, wsa_watchdog_free)

G_END_DECLS

/* wsaudio - test helpers: a private PulseAudio daemon
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _WsaTestPulse WsaTestPulse;

gboolean wsa_test_pulse_available (void);

WsaTestPulse *wsa_test_pulse_new (void);
void wsa_test_pulse_free (WsaTestPulse * self);

gboolean wsa_test_pulse_start (WsaTestPulse * self, GError ** error);
void wsa_test_pulse_kill (WsaTestPulse * self);
void wsa_test_pulse_stop (WsaTestPulse * self);
gboolean wsa_test_pulse_is_running (WsaTestPulse * self);

const gchar *wsa_test_pulse_get_server (WsaTestPulse * self);
const gchar *wsa_test_pulse_get_dir (WsaTestPulse * self);
gchar *wsa_test_pulse_get_log (WsaTestPulse * self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaTestPulse, wsa_test_pulse_free)

/* Removes @path and everything below it (not following links). */
void wsa_test_remove_tree (const gchar * path);

G_END_DECLS

/* wsaudio - test helpers: waiting on conditions with a timeout
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Iterates the thread-default main context until @cond holds or @timeout_ms
 * have passed; evaluates to the last value of @cond.  Each iteration blocks
 * until an event arrives or 10 ms pass, so conditions set by other threads
 * are seen too.  Never use a sleep to synchronise: wait on what you expect. */
#define WSA_TEST_WAIT_UNTIL(cond, timeout_ms)                               \
  ({                                                                        \
    gint64 _wsa_deadline = g_get_monotonic_time () +                        \
        (gint64) (timeout_ms) * 1000;                                       \
    gboolean _wsa_ok;                                                       \
    while (!(_wsa_ok = (cond)) && g_get_monotonic_time () < _wsa_deadline)  \
      wsa_test_iterate ();                                                  \
    _wsa_ok;                                                                \
  })

void wsa_test_iterate (void);

G_END_DECLS

/* wsaudio - restart delays
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The n-th consecutive failure waits base × 2^(n-1), never more than max:
 * with base 250ms and max 2s, 250ms, 500ms, 1s, 2s, 2s...
 */
#include "backoff.h"

guint
wsa_backoff_delay (guint base_ms, guint max_ms, guint failures)
{
  guint64 delay = base_ms;
  guint i;

  for (i = 1; i < failures && delay < max_ms; i++)
    delay *= 2;
  return (guint) MIN (delay, (guint64) max_ms);
}

/* wsaudio — test helpers: measure a tone.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>

#include "tone.h"

gdouble
tone_frequency (const gfloat * s, gsize n, gdouble rate)
{
  gdouble first = -1, last = -1;
  guint crossings = 0;
  gsize i;

  for (i = 1; i < n; i++) {
    if (s[i - 1] < 0 && s[i] >= 0) {
      gdouble t = (i - 1) + s[i - 1] / (s[i - 1] - s[i]);

      if (first < 0)
        first = t;
      last = t;
      crossings++;
    }
  }
  if (crossings < 2)
    return 0;
  return (crossings - 1) * rate / (last - first);
}

gdouble
tone_rms (const gfloat * s, gsize n)
{
  gdouble sum = 0;
  gsize i;

  for (i = 0; i < n; i++)
    sum += s[i] * s[i];
  return n ? sqrt (sum / n) : 0;
}

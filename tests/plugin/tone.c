/* wsaudio — test helpers: measure a tone.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdlib.h>

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

gssize
tone_onset (const gfloat * s, gsize n, gint rate, gdouble threshold)
{
  gsize window = rate / 100, i;

  for (i = 0; window > 0 && i + window <= n; i += window)
    if (tone_rms (s + i, window) > threshold)
      return (gssize) i;
  return -1;
}

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

gdouble
tone_median_frequency (const gfloat * s, gsize n, gint rate, gdouble hz,
    gdouble * good_share)
{
  gsize window = rate / 10, count = window ? n / window : 0, i, good = 0;
  g_autofree gdouble *f = NULL;

  *good_share = 0;
  if (count == 0)
    return 0;
  f = g_new (gdouble, count);
  for (i = 0; i < count; i++) {
    f[i] = tone_frequency (s + i * window, window, rate);
    good += fabs (f[i] - hz) <= 0.02 * hz;
  }
  *good_share = (gdouble) good / count;
  qsort (f, count, sizeof (gdouble), compare_doubles);
  return count % 2 ? f[count / 2] : (f[count / 2 - 1] + f[count / 2]) / 2;
}

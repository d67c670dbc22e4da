/* wsaudio bench — onset detector shared by the latency probes: the time a
 * beep was first seen, after a quiet spell.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef ONSET_H
#define ONSET_H

#include <glib.h>
#include <math.h>

typedef struct
{
  GMutex lock;
  float threshold;
  guint64 hold;                 /* quiet samples needed before an onset */
  guint64 quiet;
  GArray *times;                /* double, seconds (ws_now) */
  guint64 samples;              /* all fed so far */
  double first;                 /* arrival of the first samples, 0 before */
} Onsets;

static inline void
onsets_init (Onsets * o, float threshold, guint64 hold)
{
  g_mutex_init (&o->lock);
  o->threshold = threshold;
  o->hold = hold;
  o->quiet = hold;
  o->times = g_array_new (FALSE, FALSE, sizeof (double));
  o->samples = 0;
  o->first = 0;
}

/* X arrived at T (the moment the detector could see it): an onset is
 * stamped T, the time a listener could hear it, not the sample's place in
 * the buffer. */
static inline void
onsets_feed (Onsets * o, const float *x, gsize n, double t)
{
  gsize i;

  g_mutex_lock (&o->lock);
  if (o->first == 0)
    o->first = t;
  for (i = 0; i < n; i++) {
    if (fabsf (x[i]) < o->threshold) {
      o->quiet++;
      continue;
    }
    if (o->quiet >= o->hold)
      g_array_append_val (o->times, t);
    o->quiet = 0;
  }
  o->samples += n;
  g_mutex_unlock (&o->lock);
}

static inline guint
onsets_count (Onsets * o)
{
  guint n;

  g_mutex_lock (&o->lock);
  n = o->times->len;
  g_mutex_unlock (&o->lock);
  return n;
}

static inline int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Sorts V (N values) and returns the median. */
static inline double
median (double *v, guint n)
{
  if (n == 0)
    return -1;
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif

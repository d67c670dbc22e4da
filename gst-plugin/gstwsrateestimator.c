/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>

#include "gstwsrateestimator.h"

/* Thinning: one point per bucket of arrival time. Fine buckets while the
 * stream is young, so that an estimate comes within a quarter of a second. */
#define FINE_BUCKET (10 * GST_MSECOND)
#define COARSE_BUCKET (100 * GST_MSECOND)
#define FINE_PERIOD GST_SECOND
#define WINDOW (60 * GST_SECOND)

static const guint standard_rates[] =
    { 8000, 16000, 22050, 24000, 32000, 44100, 48000 };

void
gst_ws_rate_estimator_reset (GstWsRateEstimator * est, gdouble ref_rate)
{
  est->ref_rate = ref_rate > 0 ? ref_rate : 48000;
  est->first = 0;
  est->n = 0;
  est->start = GST_CLOCK_TIME_NONE;
  est->bucket_end = 0;
  est->rate = 0;
  est->dirty = FALSE;
}

static GstWsRatePoint *
point (GstWsRateEstimator * est, guint i)
{
  return &est->points[(est->first + i) % GST_WS_RATE_MAX_POINTS];
}

static const GstWsRatePoint *
const_point (const GstWsRateEstimator * est, guint i)
{
  return &est->points[(est->first + i) % GST_WS_RATE_MAX_POINTS];
}

/* TRUE when @p arrived earlier than @q for a stream at the reference
 * rate. */
static gboolean
is_earlier (GstWsRateEstimator * est, const GstWsRatePoint * p,
    const GstWsRatePoint * q)
{
  gdouble dt = ((gdouble) p->arrival - (gdouble) q->arrival) / GST_SECOND;
  gdouble df = ((gdouble) p->frames - (gdouble) q->frames) / est->ref_rate;

  return dt - df < 0;
}

static void
forget_old (GstWsRateEstimator * est, GstClockTime now)
{
  while (est->n > 1 && (est->n == GST_WS_RATE_MAX_POINTS
          || point (est, 0)->arrival + WINDOW < now)) {
    est->first = (est->first + 1) % GST_WS_RATE_MAX_POINTS;
    est->n--;
  }
}

void
gst_ws_rate_estimator_push (GstWsRateEstimator * est, GstClockTime arrival,
    guint64 frames)
{
  GstWsRatePoint p = { frames, arrival };
  GstWsRatePoint *last;

  if (!GST_CLOCK_TIME_IS_VALID (arrival))
    return;
  if (est->n > 0) {
    last = point (est, est->n - 1);
    if (frames <= last->frames || arrival < last->arrival)
      return;
    if (arrival < est->bucket_end) {
      if (is_earlier (est, &p, last)) {
        *last = p;
        est->dirty = TRUE;
      }
      return;
    }
  } else {
    est->start = arrival;
  }
  forget_old (est, arrival);
  *point (est, est->n) = p;
  est->n++;
  est->bucket_end = arrival + (arrival - est->start < FINE_PERIOD ?
      FINE_BUCKET : COARSE_BUCKET);
  est->dirty = TRUE;
}

/* z of the cross product (a - o) x (b - o). */
static gdouble
cross (const gdouble * o, const gdouble * a, const gdouble * b)
{
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/* Slope (seconds per frame) of the edge of the lower hull of the points
 * that spans the middle of their frames; 0 when there is none. */
static gdouble
hull_slope (GstWsRateEstimator * est)
{
  gdouble hull[GST_WS_RATE_MAX_POINTS][2];
  const GstWsRatePoint *p0 = point (est, 0);
  gdouble mid;
  guint i, h = 0;

  for (i = 0; i < est->n; i++) {
    const GstWsRatePoint *p = point (est, i);
    gdouble q[2] = { (gdouble) (p->frames - p0->frames),
      (gdouble) (p->arrival - p0->arrival) / GST_SECOND
    };

    while (h >= 2 && cross (hull[h - 2], hull[h - 1], q) <= 0)
      h--;
    hull[h][0] = q[0];
    hull[h][1] = q[1];
    h++;
  }
  mid = hull[h - 1][0] / 2;
  for (i = 0; i + 1 < h; i++)
    if (hull[i + 1][0] >= mid)
      break;
  if (i + 1 >= h || hull[i + 1][0] <= hull[i][0])
    return 0;
  return (hull[i + 1][1] - hull[i][1]) / (hull[i + 1][0] - hull[i][0]);
}

gdouble
gst_ws_rate_estimator_rate (GstWsRateEstimator * est)
{
  gdouble slope;

  if (!est->dirty)
    return est->rate;
  est->dirty = FALSE;
  est->rate = 0;
  if (est->n < 3)
    return 0;
  slope = hull_slope (est);
  if (slope > 0)
    est->rate = 1 / slope;
  if (est->rate > 0)
    est->ref_rate = est->rate;
  return est->rate;
}

GstClockTime
gst_ws_rate_estimator_span (const GstWsRateEstimator * est)
{
  if (est->n < 2)
    return 0;
  return const_point (est, est->n - 1)->arrival - const_point (est, 0)->arrival;
}

guint
gst_ws_rate_snap (gdouble rate, gdouble tolerance)
{
  guint i, best = 0;
  gdouble best_error = G_MAXDOUBLE;

  if (rate <= 0)
    return 0;
  for (i = 0; i < G_N_ELEMENTS (standard_rates); i++) {
    gdouble error = fabs (rate / standard_rates[i] - 1);

    if (error < best_error) {
      best_error = error;
      best = standard_rates[i];
    }
  }
  return best_error <= tolerance ? best : 0;
}

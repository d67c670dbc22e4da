/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_RATE_ESTIMATOR_H__
#define __GST_WS_RATE_ESTIMATOR_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* Measures the sample rate of a stream against a clock from when its
 * messages arrive: each message adds a point (running time of arrival,
 * frames sent up to the end of it). Network delay only ever makes a message
 * late, never early, so the points lie on or above the line of the sender's
 * clock, and the line under them all is that clock: the estimate is the
 * slope of the lower convex hull of the points at the middle of the window
 * (the linear-programming skew estimator of Moon, Skelly and Towsley). It
 * shrugs off jitter and bursts that a least-squares fit would follow.
 *
 * Points are thinned to the earliest of each 10 ms of arrival during the
 * first second, then of each 100 ms, and kept for a minute. Pure logic: no
 * clock, no locking. */

#define GST_WS_RATE_MAX_POINTS 1024

typedef struct
{
  guint64 frames;               /* sent up to the end of the message */
  GstClockTime arrival;
} GstWsRatePoint;

typedef struct
{
  gdouble ref_rate;             /* picks the earliest point of a bucket */
  GstWsRatePoint points[GST_WS_RATE_MAX_POINTS];        /* a ring */
  guint first;
  guint n;
  GstClockTime start;           /* arrival of the first point ever */
  GstClockTime bucket_end;      /* the last point may be replaced until */
  gdouble rate;                 /* cached estimate */
  gboolean dirty;
} GstWsRateEstimator;

/* Forgets every point; @ref_rate: the rate the stream is thought to have. */
G_GNUC_INTERNAL
void gst_ws_rate_estimator_reset (GstWsRateEstimator * est, gdouble ref_rate);

/* @frames: sent up to the end of a message that arrived at @arrival (running
 * time, not decreasing). */
G_GNUC_INTERNAL
void gst_ws_rate_estimator_push (GstWsRateEstimator * est,
    GstClockTime arrival, guint64 frames);

/* Frames per second of the clock, or 0 when there is no estimate yet (fewer
 * than three points, or only a burst). */
G_GNUC_INTERNAL
gdouble gst_ws_rate_estimator_rate (GstWsRateEstimator * est);

/* Arrival time the points span. */
G_GNUC_INTERNAL
GstClockTime gst_ws_rate_estimator_span (const GstWsRateEstimator * est);

/* The standard rate (8000, 16000, 22050, 24000, 32000, 44100, 48000)
 * nearest to @rate, if within @tolerance (a fraction, 0.02 = 2 %); else 0. */
G_GNUC_INTERNAL
guint gst_ws_rate_snap (gdouble rate, gdouble tolerance);

G_END_DECLS

#endif /* __GST_WS_RATE_ESTIMATOR_H__ */

/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstwsaudiotiming.h"

/* Rate inference: measured for this long before the first decision, and
 * snapped when within the tolerance; a rate is inferred again when it is
 * further than REINFER_TOLERANCE off after REINFER_SPAN. */
#define INFER_SPAN (250 * GST_MSECOND)
#define INFER_TOLERANCE 0.02
#define REINFER_SPAN GST_SECOND
#define REINFER_TOLERANCE 0.04

/* Drift: the measured rate is trusted after this long, within this much
 * of the nominal one. */
#define DRIFT_SPAN (2 * GST_SECOND)
#define MAX_DRIFT 0.01
/* The envelope of the errors: buckets of arrival time; the correction
 * starts once it covers SETTLE_SPAN and brings an error down with this time
 * constant, changing the rate by at most MAX_CORRECTION. */
#define BUCKET_SPAN (100 * GST_MSECOND)
#define SETTLE_SPAN GST_SECOND
#define CORRECTION_TIME 4.0
#define MAX_CORRECTION 0.005
/* An envelope earlier than J for SKIP_SPAN is cut at once (at least
 * MIN_SKIP_THRESHOLD early; after a new rate, anything over
 * SETTLE_THRESHOLD; once after a cut, what it left over
 * FOLLOWUP_THRESHOLD). */
#define SKIP_SPAN (300 * GST_MSECOND)
#define MIN_SKIP_THRESHOLD (20 * GST_MSECOND)
#define SETTLE_THRESHOLD (2 * GST_MSECOND)
#define FOLLOWUP_THRESHOLD (8 * GST_MSECOND)
/* Silence filling a gap, per buffer. */
#define SILENCE_SPAN (10 * GST_MSECOND)

static void
envelope_reset (GstWsEnvelope * env)
{
  env->n = 0;
  env->last = 0;
  env->since = GST_CLOCK_TIME_NONE;
}

static void
envelope_observe (GstWsEnvelope * env, GstClockTime arrival,
    GstClockTimeDiff error)
{
  if (!GST_CLOCK_TIME_IS_VALID (env->since))
    env->since = arrival;
  if (env->n > 0 && arrival < env->start[env->last] + BUCKET_SPAN) {
    env->min[env->last] = MIN (env->min[env->last], error);
    return;
  }
  env->last = (env->last + 1) % GST_WS_ENVELOPE_BUCKETS;
  env->n = MIN (env->n + 1, GST_WS_ENVELOPE_BUCKETS);
  env->start[env->last] = arrival;
  env->min[env->last] = error;
}

/* The timeline moved by @delta: later for silence, earlier for a skip. */
static void
envelope_shift (GstWsEnvelope * env, GstClockTimeDiff delta)
{
  guint i;

  for (i = 0; i < env->n; i++)
    env->min[i] += delta;
}

static GstClockTime
envelope_span (const GstWsEnvelope * env)
{
  if (env->n == 0)
    return 0;
  return env->start[env->last] - env->since;
}

/* Minimum over the buckets that started less than @window before the last
 * one. */
static GstClockTimeDiff
envelope_min (const GstWsEnvelope * env, GstClockTime window)
{
  GstClockTimeDiff min = G_MAXINT64;
  GstClockTime newest = env->start[env->last];
  guint i;

  for (i = 0; i < env->n; i++) {
    guint b = (env->last + GST_WS_ENVELOPE_BUCKETS - i) %
        GST_WS_ENVELOPE_BUCKETS;

    if (env->start[b] + window <= newest)
      break;
    min = MIN (min, env->min[b]);
  }
  return min;
}

void
gst_ws_audio_timing_init (GstWsAudioTiming * t)
{
  memset (t, 0, sizeof (*t));
  gst_audio_info_init (&t->info);
  g_queue_init (&t->out);
  t->anchor = GST_CLOCK_TIME_NONE;
  t->end = GST_CLOCK_TIME_NONE;
  t->ratio = 1;
  t->measured_ratio = 1;
  envelope_reset (&t->env);
  gst_ws_rate_estimator_reset (&t->est, 0);
}

void
gst_ws_audio_timing_clear (GstWsAudioTiming * t)
{
  g_queue_clear_full (&t->out, (GDestroyNotify) gst_buffer_unref);
  if (t->have_st)
    gst_ws_stretch_clear (&t->st);
  t->have_st = FALSE;
}

gboolean
gst_ws_audio_timing_can_stretch (const GstAudioInfo * info)
{
  return GST_AUDIO_INFO_FORMAT (info) == GST_AUDIO_FORMAT_F32LE
      || GST_AUDIO_INFO_FORMAT (info) == GST_AUDIO_FORMAT_S16LE;
}

void
gst_ws_audio_timing_start (GstWsAudioTiming * t, const GstAudioInfo * info,
    GstClockTime jitter, GstWsTimingFlags flags)
{
  g_queue_clear_full (&t->out, (GDestroyNotify) gst_buffer_unref);
  if (t->have_st)
    gst_ws_stretch_clear (&t->st);
  t->info = *info;
  t->jitter = jitter;
  t->flags = flags;
  t->stretching = (flags & GST_WS_TIMING_CORRECT_DRIFT)
      && gst_ws_audio_timing_can_stretch (info);
  t->have_st = t->stretching;
  if (t->have_st)
    gst_ws_stretch_init (&t->st, GST_AUDIO_INFO_FORMAT (info),
        GST_AUDIO_INFO_CHANNELS (info), GST_AUDIO_INFO_RATE (info));
  t->active = TRUE;
  t->anchor = GST_CLOCK_TIME_NONE;
  t->out_frames = 0;
  gst_ws_rate_estimator_reset (&t->est, GST_AUDIO_INFO_RATE (info));
  t->inferred = 0;
  t->wanted_rate = 0;
  envelope_reset (&t->env);
  t->ratio = 1;
  t->measured_ratio = 1;
  t->underrun = FALSE;
  t->settle = FALSE;
  t->skip_requested = 0;
  t->resync_pending = FALSE;
  t->followup = FALSE;
  t->more = FALSE;
  t->delay = 0;
}

void
gst_ws_audio_timing_set_jitter (GstWsAudioTiming * t, GstClockTime jitter)
{
  t->jitter = jitter;
}

static guint
rate (const GstWsAudioTiming * t)
{
  return GST_AUDIO_INFO_RATE (&t->info);
}

static GstClockTime
frames_to_time (const GstWsAudioTiming * t, gdouble frames)
{
  return frames * GST_SECOND / rate (t);
}

/* The end of the output so far. */
static GstClockTime
next_pts (const GstWsAudioTiming * t)
{
  return t->anchor + gst_util_uint64_scale_int (t->out_frames, GST_SECOND,
      rate (t));
}

/* Stamps @n_frames of output. */
static void
stamp (GstWsAudioTiming * t, GstBuffer * buf, guint64 n_frames)
{
  GstClockTime pts = next_pts (t);

  t->out_frames += n_frames;
  t->end = next_pts (t);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = t->end - pts;
  GST_BUFFER_OFFSET (buf) = t->offset;
  t->offset += n_frames;
  GST_BUFFER_OFFSET_END (buf) = t->offset;
  if (t->discont) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    t->discont = FALSE;
  }
}

/* Restarts the timeline at @pts. */
static void
anchor_at (GstWsAudioTiming * t, GstClockTime pts)
{
  if (GST_CLOCK_TIME_IS_VALID (t->end))
    pts = MAX (pts, t->end);
  t->anchor = pts;
  t->out_frames = 0;
  t->discont = TRUE;
  t->underrun = FALSE;
  t->skip_requested = 0;
  envelope_reset (&t->env);
  if (t->have_st)
    gst_ws_stretch_reset (&t->st);
}

/* Whether audio ending at @end is too late to be played at @now: a sink
 * that synchronises holds each buffer until its time plus the pipeline
 * @latency, so the streaming thread gets to the next one that late; past
 * that by more than the jitter buffer (the thread's own delays), it cannot
 * catch up without dropping. A pipeline whose sinks do not synchronise has
 * a latency of 0: the jitter buffer counts. */
static gboolean
is_late (GstWsAudioTiming * t, GstClockTime end, GstClockTime now,
    GstClockTime latency)
{
  if (!GST_CLOCK_TIME_IS_VALID (now))
    return FALSE;
  if (!GST_CLOCK_TIME_IS_VALID (latency) || latency < t->jitter)
    latency = t->jitter;
  return now > end + latency + t->jitter;
}

/* ------------------------------------------------------------------------
 * Timestamps from the sample count alone
 * ------------------------------------------------------------------------ */

static void
push_plain (GstWsAudioTiming * t, GBytes * bytes, GstClockTime now,
    GstClockTime latency, gboolean more, gboolean discont)
{
  guint64 frames = g_bytes_get_size (bytes) / GST_AUDIO_INFO_BPF (&t->info);
  GstClockTime duration = gst_util_uint64_scale_int (frames, GST_SECOND,
      rate (t));
  GstBuffer *buf;

  if (discont || !GST_CLOCK_TIME_IS_VALID (t->anchor)) {
    anchor_at (t, GST_CLOCK_TIME_IS_VALID (now) ? (now > duration ?
            now - duration : 0) : (GST_CLOCK_TIME_IS_VALID (t->end) ?
            t->end : 0));
    t->stats.resyncs++;
  } else if (is_late (t, next_pts (t) + duration, now, latency)) {
    if (more) {
      /* Keeps its place: the next chunk may still be in time. */
      t->out_frames += frames;
      t->offset += frames;
      t->discont = TRUE;
      t->stats.late += duration;
      return;
    }
    t->stats.late += now - next_pts (t) - duration;
    anchor_at (t, now > duration ? now - duration : 0);
    t->stats.resyncs++;
  }
  buf = gst_buffer_new_wrapped_bytes (bytes);
  stamp (t, buf, frames);
  g_queue_push_tail (&t->out, buf);
}

/* ------------------------------------------------------------------------
 * Rate inference
 * ------------------------------------------------------------------------ */

static void
infer (GstWsAudioTiming * t)
{
  GstClockTime span = gst_ws_rate_estimator_span (&t->est);
  gdouble measured;
  guint snapped;

  if (!(t->flags & GST_WS_TIMING_INFER_RATE) || span < INFER_SPAN)
    return;
  measured = gst_ws_rate_estimator_rate (&t->est);
  if (t->inferred != 0 && (span < REINFER_SPAN
          || fabs (measured / rate (t) - 1) <= REINFER_TOLERANCE))
    return;
  snapped = gst_ws_rate_snap (measured, INFER_TOLERANCE);
  if (snapped == 0 || snapped == t->inferred)
    return;
  t->inferred = snapped;
  t->wanted_rate = snapped != rate (t) ? snapped : 0;
}

guint
gst_ws_audio_timing_wanted_rate (const GstWsAudioTiming * t)
{
  return t->wanted_rate;
}

void
gst_ws_audio_timing_set_rate (GstWsAudioTiming * t, guint new_rate)
{
  GstClockTime pts = GST_CLOCK_TIME_IS_VALID (t->anchor) ? next_pts (t) :
      GST_CLOCK_TIME_NONE;

  t->wanted_rate = 0;
  t->info.rate = new_rate;
  if (t->have_st)
    t->st.rate = new_rate;
  t->anchor = pts;
  t->out_frames = 0;
  t->discont = TRUE;
  envelope_reset (&t->env);
  t->settle = TRUE;
}

void
gst_ws_audio_timing_refuse_rate (GstWsAudioTiming * t)
{
  t->wanted_rate = 0;
  t->flags &= ~GST_WS_TIMING_INFER_RATE;
}

gdouble
gst_ws_audio_timing_measured_rate (GstWsAudioTiming * t)
{
  if (gst_ws_rate_estimator_span (&t->est) < INFER_SPAN)
    return 0;
  return gst_ws_rate_estimator_rate (&t->est);
}

/* ------------------------------------------------------------------------
 * Drift and jitter
 * ------------------------------------------------------------------------ */

/* Where the first frame of a chunk pushed now is played. */
static GstClockTime
pending_start (GstWsAudioTiming * t)
{
  gdouble pending = MAX (gst_ws_stretch_pending (&t->st), 0);

  return next_pts (t) + frames_to_time (t, pending / t->ratio);
}

/* How much earlier than its target a chunk of @duration placed at @pts
 * arrived: the target leaves it the jitter buffer less its own duration, or
 * a quarter of the jitter buffer for chunks longer than that. */
static GstClockTimeDiff
chunk_error (GstWsAudioTiming * t, GstClockTime pts, GstClockTime arrival,
    GstClockTime duration)
{
  GstClockTimeDiff jitter = t->jitter, target;

  target = MAX (jitter - (GstClockTimeDiff) duration, jitter / 4);
  return (GstClockTimeDiff) pts + jitter - (GstClockTimeDiff) arrival - target;
}

/* The first chunk, or data after a loss or too late to be played: its
 * error is zero (or it ends now when it is stale). */
static void
resync (GstWsAudioTiming * t, GstClockTime arrival, GstClockTime now,
    GstClockTime latency, GstClockTime duration)
{
  GstClockTimeDiff jitter = t->jitter, pts;

  pts = (GstClockTimeDiff) arrival - jitter + MAX (jitter -
      (GstClockTimeDiff) duration, jitter / 4);
  if (is_late (t, MAX (pts, 0) + duration, now, latency))
    pts = (GstClockTimeDiff) now - (GstClockTimeDiff) duration;
  anchor_at (t, MAX (pts, 0));
  t->stats.resyncs++;
}

static void
update_ratio (GstWsAudioTiming * t)
{
  gdouble measured = gst_ws_rate_estimator_rate (&t->est), correction = 0;

  if (measured > 0 && gst_ws_rate_estimator_span (&t->est) >= DRIFT_SPAN)
    t->measured_ratio = CLAMP (measured / rate (t), 1 - MAX_DRIFT,
        1 + MAX_DRIFT);
  if (envelope_span (&t->env) >= SETTLE_SPAN) {
    t->delay = envelope_min (&t->env, GST_WS_ENVELOPE_BUCKETS * BUCKET_SPAN);
    correction = CLAMP ((gdouble) t->delay / GST_SECOND / CORRECTION_TIME,
        -MAX_CORRECTION, MAX_CORRECTION);
  }
  t->ratio = t->measured_ratio * (1 + correction);
  gst_ws_stretch_set_ratio (&t->st, t->ratio);
}

/* Drops what the envelope says is too early, at once. */
static void
drop_excess (GstWsAudioTiming * t, GstClockTimeDiff error)
{
  GstClockTimeDiff excess = 0, threshold;
  gboolean followup = t->followup;

  if (t->skip_requested > 0)
    return;
  if (t->settle) {
    t->settle = FALSE;
    if (error > SETTLE_THRESHOLD)
      excess = error;
  } else if (envelope_span (&t->env) >= SKIP_SPAN) {
    /* Once after a cut, what it left is cut too. */
    threshold = followup ? FOLLOWUP_THRESHOLD :
        MAX ((GstClockTimeDiff) t->jitter, MIN_SKIP_THRESHOLD);
    t->followup = FALSE;
    excess = envelope_min (&t->env, SKIP_SPAN);
    if (excess <= threshold)
      excess = 0;
  }
  if (excess <= 0)
    return;
  gst_ws_stretch_request_skip (&t->st, gst_util_uint64_scale (excess,
          rate (t), GST_SECOND) * t->ratio);
  t->skip_requested = excess;
  t->followup = !followup;
  /* What came before the excess says nothing about the stream after it. */
  envelope_reset (&t->env);
}

static void
push_stretched (GstWsAudioTiming * t, GBytes * bytes, GstClockTime arrival,
    GstClockTime now, GstClockTime latency, gboolean more, gboolean discont)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  guint64 frames = size / GST_AUDIO_INFO_BPF (&t->info);
  GstClockTime duration = frames_to_time (t, frames), pts;
  GstClockTimeDiff error;
  GstBuffer *buf;

  /* After a loss, what is queued behind is newer: the stream resumes from
   * the newest. */
  t->resync_pending |= discont;
  if (t->resync_pending && more) {
    t->stats.late += duration;
    return;
  }
  if (t->resync_pending || !GST_CLOCK_TIME_IS_VALID (t->anchor)) {
    t->resync_pending = FALSE;
    resync (t, arrival, now, latency, duration);
  }
  pts = pending_start (t);
  if (is_late (t, pts + duration, now, latency)) {
    if (more) {
      t->stats.late += duration;
      return;
    }
    t->stats.late += now - pts - duration;
    resync (t, arrival, now, latency, duration);
    pts = pending_start (t);
  }
  error = chunk_error (t, pts, arrival, duration);
  if (t->underrun) {
    /* Resume with the whole jitter buffer ahead. */
    if (error < 0) {
      gst_ws_stretch_push_silence (&t->st, gst_util_uint64_scale (-error,
              rate (t), GST_SECOND) * t->ratio);
      t->stats.silence += -error;
      error = 0;
    }
    envelope_reset (&t->env);
    t->underrun = FALSE;
  }
  envelope_observe (&t->env, arrival, error);
  drop_excess (t, error);
  update_ratio (t);
  if (!gst_ws_stretch_is_idle (&t->st)) {
    gst_ws_stretch_push (&t->st, data, frames);
    return;
  }
  /* Nothing to change: the bytes go out as they are. */
  gst_ws_stretch_passed (&t->st, data, frames);
  /* The buffer takes a reference of its own. */
  buf = gst_buffer_new_wrapped_bytes (bytes);
  stamp (t, buf, frames);
  g_queue_push_tail (&t->out, buf);
}

void
gst_ws_audio_timing_push (GstWsAudioTiming * t, GBytes * bytes,
    GstClockTime arrival, guint64 end_frame, GstClockTime now,
    GstClockTime latency, gboolean more, gboolean discont)
{
  if (!t->active
      || g_bytes_get_size (bytes) < (gsize) GST_AUDIO_INFO_BPF (&t->info))
    return;
  if (GST_CLOCK_TIME_IS_VALID (arrival)) {
    gst_ws_rate_estimator_push (&t->est, arrival, end_frame);
    infer (t);
  }
  t->more = more;
  if (t->stretching && GST_CLOCK_TIME_IS_VALID (arrival))
    push_stretched (t, bytes, arrival, now, latency, more, discont);
  else
    push_plain (t, bytes, now, latency, more, discont);
}

GstBuffer *
gst_ws_audio_timing_pull (GstWsAudioTiming * t)
{
  GstBuffer *buf = g_queue_pop_head (&t->out);
  gsize n_frames, skipped;

  if (buf != NULL || !t->stretching || !GST_CLOCK_TIME_IS_VALID (t->anchor))
    return buf;
  /* A skip may wait for input that is queued already, not for more. */
  buf = gst_ws_stretch_pull (&t->st, t->more, &n_frames, &skipped);
  if (t->skip_requested > 0 && t->st.skip == 0) {
    GstClockTime done = frames_to_time (t, skipped / t->ratio);

    /* The cut is not quite the request: the envelope starts afresh. */
    envelope_reset (&t->env);
    t->stats.skipped += done;
    t->skip_requested = 0;
  }
  if (buf != NULL)
    stamp (t, buf, n_frames);
  return buf;
}

GstClockTime
gst_ws_audio_timing_deadline (GstWsAudioTiming * t)
{
  if (!t->active || !t->stretching || !GST_CLOCK_TIME_IS_VALID (t->anchor))
    return GST_CLOCK_TIME_NONE;
  return next_pts (t) + t->jitter;
}

GstBuffer *
gst_ws_audio_timing_fill (GstWsAudioTiming * t, GstClockTime now,
    GstClockTime latency)
{
  GstBuffer *buf;

  if (!t->stretching || !GST_CLOCK_TIME_IS_VALID (t->anchor))
    return NULL;
  if (t->skip_requested > 0) {
    /* Held back for a skip that the input never allowed. */
    gst_ws_stretch_cancel_skip (&t->st);
    envelope_shift (&t->env, t->skip_requested);
    t->skip_requested = 0;
    buf = gst_ws_audio_timing_pull (t);
    if (buf != NULL)
      return buf;
  }
  /* Silence too late to be played (downstream held the streaming thread)
   * is not made up for: the timeline jumps to now. */
  if (is_late (t, next_pts (t) + SILENCE_SPAN, now, latency)) {
    anchor_at (t, now);
    t->stats.resyncs++;
  }
  gst_ws_stretch_push_silence (&t->st, gst_util_uint64_scale (SILENCE_SPAN,
          rate (t), GST_SECOND) * t->ratio);
  t->underrun = TRUE;
  /* Not flagged GAP: audio sinks drop the contents of those and let their
   * device run dry. */
  buf = gst_ws_audio_timing_pull (t);
  if (buf != NULL)
    t->stats.silence += GST_BUFFER_DURATION (buf);
  return buf;
}

void
gst_ws_audio_timing_drain (GstWsAudioTiming * t)
{
  GstBuffer *buf;
  gsize n_frames;

  t->active = FALSE;
  if (!t->stretching || !GST_CLOCK_TIME_IS_VALID (t->anchor))
    return;
  t->skip_requested = 0;
  buf = gst_ws_stretch_drain (&t->st, &n_frames);
  if (buf == NULL)
    return;
  stamp (t, buf, n_frames);
  g_queue_push_tail (&t->out, buf);
}

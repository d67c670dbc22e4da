/* wsaudio — websocketsrc's timing logic, without sockets or clocks
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The rate estimator, the stretcher and the timeline of gst-plugin/ driven
 * by simulated senders: a client whose clock runs fast or slow, network
 * jitter, bursts and stalls, in simulated time (ten minutes take a fraction
 * of a second). The streaming thread is modelled the way websocketsrc runs
 * it: each chunk is pushed when it arrives, the output pulled at once, and
 * silence filled when the deadline passes first.
 */
#include <math.h>
#include <string.h>
#include <gst/check/gstcheck.h>

#include "gstwsaudiotiming.h"
#include "gstwsrateestimator.h"
#include "gstwsstretch.h"
#include "tone.h"

#define QUANTUM 128             /* frames per message, as the browser sends */

static const guint rates[] = { 8000, 16000, 22050, 24000, 32000, 44100,
  48000
};

/* ------------------------------------------------------------------------
 * Rate estimator
 * ------------------------------------------------------------------------ */

/* Feeds @est messages of a sender at @rate for @seconds with a network delay
 * of 0 to @jitter_ms, in bursts of @burst_ms (0: none). */
static void
feed (GstWsRateEstimator * est, GRand * rand, gdouble rate, gdouble seconds,
    gdouble jitter_ms, gdouble burst_ms)
{
  guint64 frames;
  GstClockTime last = 0;

  for (frames = QUANTUM; frames <= rate * seconds; frames += QUANTUM) {
    gdouble sent = frames / rate, arrival;

    if (burst_ms > 0)
      sent = ceil (sent * 1000 / burst_ms) * burst_ms / 1000;
    arrival = sent + g_rand_double_range (rand, 0, jitter_ms / 1000);
    last = MAX (last, (GstClockTime) (arrival * GST_SECOND));
    gst_ws_rate_estimator_push (est, last, frames);
  }
}

GST_START_TEST (test_snap)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (rates); i++) {
    fail_unless_equals_int (gst_ws_rate_snap (rates[i] * 1.015, 0.02),
        rates[i]);
    fail_unless_equals_int (gst_ws_rate_snap (rates[i] * 0.985, 0.02),
        rates[i]);
  }
  /* Halfway between 44100 and 48000: neither. */
  fail_unless_equals_int (gst_ws_rate_snap (46000, 0.02), 0);
  fail_unless_equals_int (gst_ws_rate_snap (96000, 0.02), 0);
  fail_unless_equals_int (gst_ws_rate_snap (0, 0.02), 0);
}

GST_END_TEST;

/* A quarter second is enough for every standard rate with 10 ms of jitter
 * (chromium's worklet messages go through its main thread), half a second
 * in 50 ms bursts. */
GST_START_TEST (test_estimator_quarter_second)
{
  GRand *rand = g_rand_new_with_seed (1);
  GstWsRateEstimator est;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (rates); i++) {
    gst_ws_rate_estimator_reset (&est, 44100);
    feed (&est, rand, rates[i], 0.25, 10, 0);
    fail_unless (gst_ws_rate_estimator_span (&est) >= 200 * GST_MSECOND);
    fail_unless_equals_int (gst_ws_rate_snap (gst_ws_rate_estimator_rate
            (&est), 0.02), rates[i]);

    gst_ws_rate_estimator_reset (&est, 44100);
    feed (&est, rand, rates[i], 0.5, 2, 50);
    fail_unless_equals_int (gst_ws_rate_snap (gst_ws_rate_estimator_rate
            (&est), 0.02), rates[i]);
  }
  g_rand_free (rand);
}

GST_END_TEST;

/* Over a minute the estimate is within 50 ppm, through jitter, and a
 * startup burst does not fool it. */
GST_START_TEST (test_estimator_precision)
{
  GRand *rand = g_rand_new_with_seed (2);
  GstWsRateEstimator est;
  gdouble rate = 48000 * 1.0031, measured;
  guint64 frames;

  gst_ws_rate_estimator_reset (&est, 48000);
  /* 100 ms of backlog at once, when the last of it was recorded. */
  for (frames = QUANTUM; frames < 4800; frames += QUANTUM)
    gst_ws_rate_estimator_push (&est, 4736 / rate * GST_SECOND, frames);
  fail_unless_equals_int (gst_ws_rate_estimator_rate (&est), 0);
  feed (&est, rand, rate, 60, 20, 0);
  measured = gst_ws_rate_estimator_rate (&est);
  fail_unless (fabs (measured / rate - 1) < 50e-6, "%f Hz for %f", measured,
      rate);
  g_rand_free (rand);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * Stretcher
 * ------------------------------------------------------------------------ */

static GBytes *
tone_bytes (gdouble hz, gdouble rate, guint64 first, guint n)
{
  gfloat *s = g_new (gfloat, n);
  guint i;

  for (i = 0; i < n; i++)
    s[i] = 0.5 * sin (2 * G_PI * hz * (first + i) / rate);
  return g_bytes_new_take (s, n * sizeof (gfloat));
}

/* Runs @n_frames of a tone through @st in quanta; returns the output. */
static GArray *
stretch_tone (GstWsStretch * st, gdouble hz, guint n_frames)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gfloat));
  guint64 done;

  for (done = 0; done < n_frames; done += QUANTUM) {
    GBytes *in = tone_bytes (hz, st->rate, done, QUANTUM);
    GstBuffer *buf;
    gsize n, skipped;

    gst_ws_stretch_push (st, g_bytes_get_data (in, NULL), QUANTUM);
    g_bytes_unref (in);
    while ((buf = gst_ws_stretch_pull (st, TRUE, &n, &skipped)) != NULL) {
      GstMapInfo map;

      gst_buffer_map (buf, &map, GST_MAP_READ);
      g_array_append_vals (out, map.data, n);
      gst_buffer_unmap (buf, &map);
      gst_buffer_unref (buf);
    }
  }
  return out;
}

/* The largest step between two samples: a click shows as a step much larger
 * than the tone's own. */
static gfloat
max_step (const GArray * a, guint from)
{
  gfloat step = 0;
  guint i;

  for (i = MAX (from, 1); i < a->len; i++)
    step = MAX (step, fabsf (g_array_index (a, gfloat, i) -
            g_array_index (a, gfloat, i - 1)));
  return step;
}

GST_START_TEST (test_stretch_identity)
{
  GstWsStretch st;
  gint16 in[QUANTUM * 2], *out;
  GstBuffer *buf;
  GstMapInfo map;
  gsize n, skipped;
  guint i;

  /* S16LE stereo, every value: out as in. */
  gst_ws_stretch_init (&st, GST_AUDIO_FORMAT_S16LE, 2, 48000);
  for (i = 0; i < G_N_ELEMENTS (in); i++)
    in[i] = GINT16_TO_LE ((gint16) (i * 517 - 32768));
  fail_unless (gst_ws_stretch_is_idle (&st));
  gst_ws_stretch_push (&st, (guint8 *) in, QUANTUM);
  buf = gst_ws_stretch_pull (&st, TRUE, &n, &skipped);
  fail_unless_equals_int (n, QUANTUM);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  out = (gint16 *) map.data;
  fail_unless (memcmp (out, in, sizeof (in)) == 0);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  fail_unless (gst_ws_stretch_is_idle (&st));
  gst_ws_stretch_clear (&st);
}

GST_END_TEST;

/* 0.5 % faster: 0.5 % fewer frames, the tone 0.5 % higher, no click. */
GST_START_TEST (test_stretch_ratio)
{
  GstWsStretch st;
  GArray *out;
  gdouble hz;

  gst_ws_stretch_init (&st, GST_AUDIO_FORMAT_F32LE, 1, 48000);
  gst_ws_stretch_set_ratio (&st, 1.005);
  out = stretch_tone (&st, 1000, 48000);
  fail_unless (fabs (out->len - 48000 / 1.005) < 4, "%u frames", out->len);
  hz = tone_frequency ((gfloat *) out->data, out->len, 48000);
  fail_unless (fabs (hz - 1005) < 0.5, "%f Hz", hz);
  /* A 1 kHz tone at 0.5 moves by at most 0.066 per sample. */
  fail_unless (max_step (out, 0) < 0.07, "step %f", max_step (out, 0));
  g_array_unref (out);
  gst_ws_stretch_clear (&st);
}

GST_END_TEST;

/* A skip cuts a whole number of periods of a tone and leaves no step. */
GST_START_TEST (test_stretch_skip)
{
  GstWsStretch st;
  GArray *out;
  guint before;

  gst_ws_stretch_init (&st, GST_AUDIO_FORMAT_F32LE, 1, 48000);
  out = stretch_tone (&st, 440, 4800);
  before = out->len;
  g_array_unref (out);
  gst_ws_stretch_request_skip (&st, 1000);
  out = stretch_tone (&st, 440, 48000);
  /* The tone went on 1000 frames later, give or take 6 ms to cut at the
   * same phase. */
  fail_unless (out->len >= 48000 - 1000 - 288 - 2 && out->len <= 48000 -
      1000 + 288, "%u frames after %u", out->len, before);
  fail_unless (max_step (out, 0) < 0.04, "step %f", max_step (out, 0));
  fail_unless (fabs (tone_frequency ((gfloat *) out->data, out->len, 48000)
          - 440) < 1);
  g_array_unref (out);
  gst_ws_stretch_clear (&st);
}

GST_END_TEST;

/* ------------------------------------------------------------------------
 * Timeline
 * ------------------------------------------------------------------------ */

typedef struct
{
  GstWsAudioTiming t;
  GRand *rand;
  gdouble rate;                 /* what the sender runs at */
  gdouble speed;                /* its clock against the pipeline's */
  gdouble jitter_ms;            /* network delay, 0 to this */
  gdouble burst_ms;             /* sent in bursts of this period */
  gdouble stall_at;             /* the network stalls for a while */
  gdouble stall_ms;
  guint64 sent;                 /* frames */
  GstClockTime next_arrival;
  GQueue queue;                 /* arrival times not taken yet */
  GstClockTime now;             /* of the streaming thread */
  GstClockTime last_arrival;    /* of the last chunk taken */
  GstClockTime end;             /* of the output so far */
  guint disconts;
  gboolean renegotiated;
} Sim;

static void
sim_init (Sim * s, guint caps_rate, gdouble rate, GstWsTimingFlags flags)
{
  GstAudioInfo info;

  memset (s, 0, sizeof (*s));
  s->rand = g_rand_new_with_seed (3);
  g_queue_init (&s->queue);
  s->rate = rate;
  s->speed = 1;
  s->end = GST_CLOCK_TIME_NONE;
  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_F32LE, caps_rate, 1, NULL);
  gst_ws_audio_timing_init (&s->t);
  gst_ws_audio_timing_start (&s->t, &info, 40 * GST_MSECOND, flags);
}

static void
sim_clear (Sim * s)
{
  gst_ws_audio_timing_clear (&s->t);
  g_queue_clear (&s->queue);
  g_rand_free (s->rand);
}

/* What the sink gets: contiguous buffers. */
static void
sim_consume (Sim * s, GstBuffer * buf)
{
  if (GST_BUFFER_IS_DISCONT (buf))
    s->disconts++;
  else
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), s->end);
  s->end = GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf);
  gst_buffer_unref (buf);
}

/* Arrival of the message that ends at frame @frames, in seconds. */
static gdouble
sim_arrival (Sim * s, guint64 frames)
{
  gdouble sent = frames / (s->rate * s->speed), arrival;

  if (s->burst_ms > 0)
    sent = ceil (sent * 1000 / s->burst_ms) * s->burst_ms / 1000;
  arrival = sent + g_rand_double_range (s->rand, 0, s->jitter_ms / 1000);
  if (s->stall_ms > 0 && arrival >= s->stall_at
      && arrival < s->stall_at + s->stall_ms / 1000)
    arrival = s->stall_at + s->stall_ms / 1000;
  return arrival;
}

/* From the arrival of the last chunk taken to when its end is played, less
 * the pipeline latency. */
static GstClockTimeDiff
sim_latency (Sim * s)
{
  GstWsAudioTiming *t = &s->t;
  gdouble pending = gst_ws_stretch_pending (&t->st) / t->ratio;

  return (GstClockTimeDiff) (t->end + pending * GST_SECOND /
      GST_AUDIO_INFO_RATE (&t->info)) - (GstClockTimeDiff) s->last_arrival;
}

/* The streaming thread until @until, as websocketsrc's create() runs it in
 * front of a sink that synchronises: it takes a buffer once the buffer's
 * end is SINK_HOLD in the past (pulsesink: the pipeline latency less its
 * own), the thread takes what is queued, pulls what it can, and fills the
 * gap when nothing came by the deadline. */
#define SINK_HOLD (20 * GST_MSECOND)
static void
sim_thread (Sim * s, GstClockTime until)
{
  static guint8 zeros[QUANTUM * sizeof (gfloat)];
  GBytes *bytes = g_bytes_new_static (zeros, sizeof (zeros));
  GstClockTime deadline;
  GstBuffer *buf;
  guint rate;

  while (TRUE) {
    if (GST_CLOCK_TIME_IS_VALID (s->end) && s->end + SINK_HOLD > s->now) {
      /* Held in the sink. */
      if (s->end + SINK_HOLD > until)
        break;
      s->now = s->end + SINK_HOLD;
    }
    if ((buf = gst_ws_audio_timing_pull (&s->t)) != NULL) {
      sim_consume (s, buf);
    } else if ((rate = gst_ws_audio_timing_wanted_rate (&s->t)) != 0) {
      gst_ws_audio_timing_set_rate (&s->t, rate);
      s->renegotiated = TRUE;
    } else if (!g_queue_is_empty (&s->queue)) {
      s->last_arrival = GPOINTER_TO_SIZE (g_queue_pop_head (&s->queue));
      s->sent += QUANTUM;
      gst_ws_audio_timing_push (&s->t, bytes, s->last_arrival, s->sent,
          s->now, GST_CLOCK_TIME_NONE, !g_queue_is_empty (&s->queue), FALSE);
    } else if (GST_CLOCK_TIME_IS_VALID (deadline =
            gst_ws_audio_timing_deadline (&s->t)) && deadline <= until) {
      s->now = MAX (s->now, deadline);
      if ((buf = gst_ws_audio_timing_fill (&s->t, s->now,
                  GST_CLOCK_TIME_NONE)) != NULL)
        sim_consume (s, buf);
    } else {
      break;
    }
  }
  s->now = MAX (s->now, until);
  g_bytes_unref (bytes);
}

/* Runs the sender until @seconds; returns the latency then. */
static GstClockTimeDiff
sim_run (Sim * s, gdouble seconds)
{
  guint64 frames = s->sent + s->queue.length * QUANTUM;

  if (s->next_arrival == 0)
    s->next_arrival = sim_arrival (s, QUANTUM) * GST_SECOND;
  while (s->next_arrival <= seconds * GST_SECOND) {
    sim_thread (s, s->next_arrival);
    g_queue_push_tail (&s->queue, GSIZE_TO_POINTER (s->next_arrival));
    frames += QUANTUM;
    /* TCP keeps the order. */
    s->next_arrival = MAX (sim_arrival (s, frames + QUANTUM) * GST_SECOND,
        s->next_arrival);
  }
  sim_thread (s, seconds * GST_SECOND);
  return sim_latency (s);
}

/* A sender 0.5 % fast or slow, with 5 ms of jitter, for ten minutes: the
 * latency at the end is within 20 ms of where it started (without drift
 * correction it would be 3 s off), with no gap and no cut on the way, and
 * the audio is resampled by the sender's ratio. */
static void
check_drift (gdouble speed)
{
  Sim s;
  GstClockTimeDiff start, latency, lo = G_MAXINT64, hi = G_MININT64;
  gdouble t;

  sim_init (&s, 48000, 48000, GST_WS_TIMING_CORRECT_DRIFT);
  s.speed = speed;
  s.jitter_ms = 5;
  start = sim_run (&s, 0.01);
  for (t = 5; t <= 600; t += 5) {
    latency = sim_run (&s, t);
    lo = MIN (lo, latency);
    hi = MAX (hi, latency);
  }
  GST_INFO ("speed %.3f: latency %.1f ms at the start, %.1f ms after 10 "
      "min (%.1f to %.1f), ratio %.6f, silence %" GST_TIME_FORMAT
      ", skipped %" GST_TIME_FORMAT, speed, start / 1e6, latency / 1e6,
      lo / 1e6, hi / 1e6, s.t.ratio, GST_TIME_ARGS (s.t.stats.silence),
      GST_TIME_ARGS (s.t.stats.skipped));
  fail_unless (ABS (latency - start) < 20 * GST_MSECOND,
      "latency %.1f ms, %.1f ms at the start", latency / 1e6, start / 1e6);
  fail_unless (hi - lo < 20 * GST_MSECOND, "latency from %.1f to %.1f ms",
      lo / 1e6, hi / 1e6);
  fail_unless_equals_uint64 (s.t.stats.silence, 0);
  fail_unless_equals_uint64 (s.t.stats.skipped, 0);
  fail_unless_equals_int (s.disconts, 1);
  fail_unless (fabs (s.t.ratio / speed - 1) < 100e-6, "ratio %f", s.t.ratio);
  sim_clear (&s);
}

GST_START_TEST (test_drift_fast)
{
  check_drift (1.005);
}

GST_END_TEST;

GST_START_TEST (test_drift_slow)
{
  check_drift (0.995);
}

GST_END_TEST;

/* Without correction the latency follows the sender's clock: the check
 * above can fail. */
GST_START_TEST (test_drift_uncorrected)
{
  Sim s;
  GstClockTimeDiff start, end;

  sim_init (&s, 48000, 48000, 0);
  s.speed = 1.005;
  start = sim_run (&s, 0.01);
  end = sim_run (&s, 60);
  fail_unless (end - start > 250 * GST_MSECOND, "%.1f ms", (end - start) / 1e6);
  sim_clear (&s);
}

GST_END_TEST;

/* Frames in 100 ms bursts: played without a gap, at a latency that covers
 * the burst period and stays put. */
GST_START_TEST (test_bursts)
{
  Sim s;
  GstClockTimeDiff latency, lo = G_MAXINT64, hi = G_MININT64;
  gdouble t;

  sim_init (&s, 48000, 48000, GST_WS_TIMING_CORRECT_DRIFT);
  s.burst_ms = 100;
  s.jitter_ms = 2;
  for (t = 1; t <= 60; t += 0.5) {
    latency = sim_run (&s, t);
    if (t > 5) {
      lo = MIN (lo, latency);
      hi = MAX (hi, latency);
    }
  }
  GST_INFO ("bursts: latency %.1f to %.1f ms", lo / 1e6, hi / 1e6);
  fail_unless_equals_uint64 (s.t.stats.silence, 0);
  fail_unless_equals_uint64 (s.t.stats.skipped, 0);
  fail_unless (hi - lo < 20 * GST_MSECOND);
  sim_clear (&s);
}

GST_END_TEST;

/* The network stalls for 300 ms, then delivers the backlog at once: the gap
 * is filled with silence, and the backlog is dropped, not kept as latency. */
GST_START_TEST (test_stall_not_accumulated)
{
  Sim s;
  GstClockTimeDiff before, after;

  sim_init (&s, 48000, 48000, GST_WS_TIMING_CORRECT_DRIFT);
  s.jitter_ms = 2;
  s.stall_at = 5;
  s.stall_ms = 300;
  before = sim_run (&s, 4.9);
  sim_run (&s, 5.31);
  fail_unless (s.t.stats.silence >= 250 * GST_MSECOND, "%" GST_TIME_FORMAT
      " of silence", GST_TIME_ARGS (s.t.stats.silence));
  after = sim_run (&s, 10);
  GST_INFO ("stall: latency %.1f ms before, %.1f ms after, %" GST_TIME_FORMAT
      " skipped", before / 1e6, after / 1e6, GST_TIME_ARGS (s.t.stats.skipped));
  fail_unless (ABS (after - before) < 15 * GST_MSECOND,
      "latency %.1f ms before, %.1f ms after", before / 1e6, after / 1e6);
  fail_unless (s.t.stats.skipped > 200 * GST_MSECOND);
  sim_clear (&s);
}

GST_END_TEST;

/* A 48 kHz sender with 44.1 kHz caps and nothing declared: the rate is
 * inferred within half a second, and the latency comes back to where it
 * started. */
GST_START_TEST (test_inference)
{
  Sim s;
  GstClockTimeDiff latency;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (rates); i++) {
    sim_init (&s, 44100, rates[i], GST_WS_TIMING_INFER_RATE |
        GST_WS_TIMING_CORRECT_DRIFT);
    s.jitter_ms = 10;
    sim_run (&s, 0.5);
    fail_unless_equals_int (s.t.inferred, rates[i]);
    fail_unless_equals_int (GST_AUDIO_INFO_RATE (&s.t.info), rates[i]);
    fail_unless_equals_int (s.renegotiated, rates[i] != 44100);
    latency = sim_run (&s, 3);
    fail_unless (ABS (latency) < 20 * GST_MSECOND, "%u Hz: latency %.1f ms",
        rates[i], latency / 1e6);
    sim_clear (&s);
  }
}

GST_END_TEST;

static Suite *
wsaudiotiming_suite (void)
{
  Suite *s = suite_create ("wsaudiotiming");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_snap);
  tcase_add_test (tc, test_estimator_quarter_second);
  tcase_add_test (tc, test_estimator_precision);
  tcase_add_test (tc, test_stretch_identity);
  tcase_add_test (tc, test_stretch_ratio);
  tcase_add_test (tc, test_stretch_skip);
  tcase_add_test (tc, test_drift_fast);
  tcase_add_test (tc, test_drift_slow);
  tcase_add_test (tc, test_drift_uncorrected);
  tcase_add_test (tc, test_bursts);
  tcase_add_test (tc, test_stall_not_accumulated);
  tcase_add_test (tc, test_inference);
  return s;
}

GST_CHECK_MAIN (wsaudiotiming);

/* wsaudio — fault tests: the microphone talker changes
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * websocketsrc talker-policy=newest ! appsink (synchronised on the clock,
 * as pulsesink would be). A browser-like talker sends a 1 kHz tone; a
 * second one connects while the first still sends, with a 500 Hz tone, and
 * takes over. In what the appsink renders: no sample around the switch is
 * louder than the tone itself (no click), and the second talker is heard
 * as soon after it starts as the first was (no backlog), which the
 * element's own latency figure confirms.
 */
#include <math.h>
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>

#include "fault-util.h"
#include "tone.h"
#include "wstest.h"

#define RATE 44100
#define HZ1 1000.0
#define HZ2 500.0
/* How much the onset latency of the second talker may exceed the first's. */
#define MAX_EXTRA_LATENCY_MS 30

#define PIPELINE "websocketsrc name=ws host=127.0.0.1 port=0 " \
  "talker-policy=newest ! appsink name=out"

typedef struct
{
  guint index;                  /* of its first sample */
  gint64 rendered;              /* when the sink let it through (us) */
  gboolean discont;             /* starts a timeline: a new talker */
} Chunk;

typedef struct
{
  GMutex lock;
  GArray *samples;              /* gfloat */
  GArray *chunks;               /* Chunk: where each buffer starts */
} Recording;

static GstFlowReturn
new_sample (GstAppSink * sink, gpointer data)
{
  Recording *r = data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_READ);
  g_mutex_lock (&r->lock);
  /* The sink synchronises: a buffer arrives here when it is played. */
  {
    Chunk chunk = { r->samples->len, g_get_monotonic_time (),
      GST_BUFFER_IS_DISCONT (buf)
    };

    g_array_append_val (r->chunks, chunk);
  }
  g_array_append_vals (r->samples, map.data, map.size / sizeof (gfloat));
  g_mutex_unlock (&r->lock);
  gst_buffer_unmap (buf, &map);
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static guint
recorded (Recording * r)
{
  guint n;

  g_mutex_lock (&r->lock);
  n = r->samples->len;
  g_mutex_unlock (&r->lock);
  return n;
}

/* When sample @i was played (monotonic time, microseconds). */
static gint64
sample_time_us (Recording * r, gsize i)
{
  guint c;
  Chunk *chunk = NULL;

  for (c = 0; c < r->chunks->len; c++) {
    if (g_array_index (r->chunks, Chunk, c).index > i)
      break;
    chunk = &g_array_index (r->chunks, Chunk, c);
  }
  return chunk->rendered + (i - chunk->index) * G_USEC_PER_SEC / RATE;
}

static gint64
stats_latency_ms (GstElement * ws)
{
  g_autoptr (GstStructure) stats = NULL;
  gint64 latency = 0;

  g_object_get (ws, "stats", &stats, NULL);
  gst_structure_get_int64 (stats, "latency", &latency);
  return latency / GST_MSECOND;
}

/* First sample at or after @from where a 20 ms window has frequency @hz
 * (within 5 %), or -1. */
static gssize
find_tone (const gfloat * x, gsize n, gsize from, gdouble hz)
{
  const gsize win = RATE / 50, step = RATE / 1000;
  gsize i;

  for (i = from; i + win <= n; i += step)
    if (fabs (tone_frequency (x + i, win, RATE) - hz) < hz * 0.05
        && tone_rms (x + i, win) > 0.2)
      return i;
  return -1;
}

/* The second talker's first sample: it starts a timeline (DISCONT) of its
 * own; the first such buffer near @approx whose next 10 ms are all @hz.
 * (Not any buffer start: the last buffer of the first talker may be a few
 * samples long, and its next 10 ms are the second talker's tone.) */
static gssize
first_of_talker (Recording * r, gssize approx, gdouble hz)
{
  const gfloat *x = (const gfloat *) r->samples->data;
  const gsize win = RATE / 100;
  guint c;

  for (c = 0; c < r->chunks->len; c++) {
    gsize i = g_array_index (r->chunks, Chunk, c).index;

    if (i + RATE / 50 < (gsize) approx || i + win > r->samples->len)
      continue;
    if (i > (gsize) approx + RATE / 50)
      break;
    if (g_array_index (r->chunks, Chunk, c).discont && fabs (tone_frequency (x + i, win, RATE) - hz) < hz * 0.02)
      return i;
  }
  return -1;
}

static gfloat
peak (const gfloat * x, gsize from, gsize to)
{
  gfloat p = 0;

  for (; from < to; from++)
    p = MAX (p, fabsf (x[from]));
  return p;
}

/* The largest jump from one sample to the next. */
static gfloat
max_step (const gfloat * x, gsize from, gsize to)
{
  gfloat s = 0;

  for (from = MAX (from, 1); from < to; from++)
    s = MAX (s, fabsf (x[from] - x[from - 1]));
  return s;
}

/* The first talker sends every @burst_ms (0: each quantum when due, as a
 * browser does). */
static void
run_switch (guint burst_ms)
{
  FaultPipeline p;
  Recording rec = { 0 };
  g_autoptr (GstElement) out = NULL;
  GstAppSinkCallbacks callbacks = { NULL, NULL, new_sample };
  WsTestTalker t1, t2;
  gint64 gap, latency1, latency2, stats1, stats2;
  gssize on1, on2;
  guint n, status = 0;
  const gfloat *x;
  gfloat signal, around, step_signal, step_around;

  g_mutex_init (&rec.lock);
  rec.samples = g_array_new (FALSE, FALSE, sizeof (gfloat));
  rec.chunks = g_array_new (FALSE, FALSE, sizeof (Chunk));
  fault_pipeline_start (&p, PIPELINE);
  out = gst_bin_get_by_name (GST_BIN (p.pipeline), "out");
  gst_app_sink_set_callbacks (GST_APP_SINK (out), &callbacks, &rec, NULL);

  fail_unless (ws_test_talker_start_full (&t1, p.port, "/?rate=44100", RATE,
          1.0, burst_ms, HZ1, &status));
  fail_unless (WS_WAIT_UNTIL (recorded (&rec) >= RATE, 10000));
  stats1 = stats_latency_ms (p.ws);
  /* The second connects while the first is sending. */
  fail_unless (ws_test_talker_start_full (&t2, p.port, "/?rate=44100", RATE,
          1.0, 0, HZ2, &status));
  n = recorded (&rec);
  fail_unless (WS_WAIT_UNTIL (recorded (&rec) >= n + RATE, 10000));
  stats2 = stats_latency_ms (p.ws);
  fail_unless (WS_WAIT_UNTIL (t1.conn == NULL
          || soup_websocket_connection_get_state (t1.conn) ==
          SOUP_WEBSOCKET_STATE_CLOSED, 5000),
      "the first talker was not closed");
  fail_unless_equals_int (soup_websocket_connection_get_close_code (t1.conn),
      SOUP_WEBSOCKET_CLOSE_NORMAL);
  ws_test_talker_stop (&t1);
  ws_test_talker_stop (&t2);

  fault_pipeline_stop (&p);
  x = (const gfloat *) rec.samples->data;
  n = rec.samples->len;

  on1 = find_tone (x, n, 0, HZ1);
  fail_unless (on1 >= 0, "the first talker was not heard");
  on2 = find_tone (x, n, on1 + RATE / 2, HZ2);
  fail_unless (on2 >= 0, "the second talker was not heard");
  on2 = first_of_talker (&rec, on2, HZ2);
  fail_unless (on2 > 0, "no buffer starts the second talker");
  /* How long nothing was played between the two. */
  gap = sample_time_us (&rec, on2) - sample_time_us (&rec, on2 - 1)
      - G_USEC_PER_SEC / RATE;
  /* When the first sample of each talker was played against when it was
   * due to be sent. */
  latency1 = sample_time_us (&rec, on1) - t1.start;
  latency2 = sample_time_us (&rec, on2) - t2.start;

  /* The tone away from the switch, and everything around it. */
  signal = peak (x, on1 + RATE / 10, on2 - RATE / 5);
  step_signal = max_step (x, on1 + RATE / 10, on2 - RATE / 5);
  around = peak (x, on2 - RATE / 10, MIN (n, on2 + RATE / 5));
  step_around = max_step (x, on2 - RATE / 10, MIN (n, on2 + RATE / 5));
  g_printerr ("talker switch (first talker %s): onset latency %" G_GINT64_FORMAT
      " ms before, %" G_GINT64_FORMAT " ms after; element latency %"
      G_GINT64_FORMAT " ms " "before, %" G_GINT64_FORMAT
      " ms after; peak %.3f (tone %.3f), " "largest step %.3f (tone %.3f), %"
      G_GINT64_FORMAT " ms between the " "two\n",
      burst_ms ? "bursty" : "steady", latency1 / 1000, latency2 / 1000, stats1,
      stats2, around, signal, step_around, step_signal, gap / 1000);
  fail_unless (signal > 0.45, "the tone itself is at %.3f", signal);
  fail_unless (around <= signal * 1.01, "a click of %.3f at the switch, the "
      "tone peaks at %.3f", around, signal);
  /* Played when the element says, and no later than the first talker. */
  fail_unless (ABS (latency2 / 1000 - stats2) <= MAX_EXTRA_LATENCY_MS,
      "the second talker is played %" G_GINT64_FORMAT " ms after it sends, "
      "the element reports %" G_GINT64_FORMAT " ms", latency2 / 1000, stats2);
  fail_unless (latency2 <= latency1 + MAX_EXTRA_LATENCY_MS * 1000,
      "the second talker is played %" G_GINT64_FORMAT
      " ms after it sends, the first was %" G_GINT64_FORMAT " ms",
      latency2 / 1000, latency1 / 1000);
  if (burst_ms == 0)
    fail_unless (ABS (stats2 - stats1) <= MAX_EXTRA_LATENCY_MS);
  fail_unless_equals_int (g_atomic_int_get (&p.errors), 0);
  g_array_unref (rec.samples);
  g_array_unref (rec.chunks);
  g_mutex_clear (&rec.lock);
}

GST_START_TEST (test_newest_talker_takes_over_cleanly)
{
  run_switch (0);
}

GST_END_TEST;


static Suite *
talker_switch_suite (void)
{
  Suite *s = suite_create ("fault-talker-switch");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_newest_talker_takes_over_cleanly);
  return s;
}

GST_CHECK_MAIN (talker_switch);

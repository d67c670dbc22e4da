/* wsaudio bench — microphone latency: clicks sent over WebSocket, detected
 * at a PulseAudio source.  SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * miclat [options] HOST PORT
 *   --rate R          the client's sample rate (default 48000)
 *   --declare         say it in the URL (?rate=R); else the server infers it
 *                     (the browser front end declares nothing)
 *   --seconds S       how long to talk (default 15)
 *   --interval-ms MS  between clicks (default 500)
 *   --source DEV      PulseAudio source to record (default microphone)
 *   --skip S          clicks in the first S seconds are not counted: the
 *                     rate is still being inferred (default 2)
 *   --edge N          clicks in the start and end medians (default 20)
 *   --trace FILE      write each counted click there: seconds since the
 *                     start, latency in ms
 *
 * Talks like the browser's AudioWorklet: 128 F32LE mono samples a message,
 * paced by CLOCK_MONOTONIC at the client's rate, silence with a 10 ms 1 kHz
 * click (0.8) every interval.  A click's time is when the message holding
 * its first sample was sent; it is detected at a pulsesrc on the source (5 ms
 * fragments, |x| >= 0.4 after 100 ms below) when its buffer arrives, and
 * paired with the latest click sent before (within 0.9 interval).
 * Prints key=value: clicks matched median_ms max_ms start_ms end_ms (medians
 * of the first and last N clicks counted) seconds minutes (the median of
 * each minute, comma separated). */
#include "onset.h"
#include "wsconn.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUANTUM 128
#define REC_RATE 44100

static Onsets heard;

static GstFlowReturn
on_sample (GstAppSink * sink, gpointer data)
{
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  double t = ws_now ();
  GstMapInfo map;

  if (gst_buffer_map (b, &map, GST_MAP_READ)) {
    onsets_feed (&heard, (const float *) map.data, map.size / 4, t);
    gst_buffer_unmap (b, &map);
  }
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

static GstElement *
start_recorder (const char *source)
{
  GstAppSinkCallbacks cb = {.new_sample = on_sample };
  GError *err = NULL;
  char *desc = g_strdup_printf ("pulsesrc device=%s client-name=miclat "
      "buffer-time=100000 latency-time=5000 ! audioconvert ! audioresample "
      "! audio/x-raw,format=F32LE,rate=%d,channels=1 ! appsink name=sink "
      "sync=false", source, REC_RATE);
  GstElement *p = gst_parse_launch (desc, &err), *sink;

  if (p == NULL) {
    fprintf (stderr, "miclat: %s: %s\n", desc, err->message);
    exit (1);
  }
  g_free (desc);
  sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, NULL, NULL);
  gst_object_unref (sink);
  gst_element_set_state (p, GST_STATE_PLAYING);
  return p;
}

static void
sleep_until (double t)
{
  struct timespec ts = {.tv_sec = (time_t) t,
    .tv_nsec = (long) ((t - (time_t) t) * 1e9)
  };

  while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0);
}

/* Sends SECONDS of clicks at RATE; returns the send times, one a click. */
static GArray *
talk (int fd, int rate, double seconds, int interval_ms)
{
  GArray *sent = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 period = (guint64) rate * interval_ms / 1000, click = rate / 100;
  guint64 pos = 0, total = (guint64) (seconds * rate);
  double t0 = ws_now () + 0.05;
  float q[QUANTUM];

  while (pos < total) {
    gboolean onset = FALSE;
    int i;

    for (i = 0; i < QUANTUM; i++) {
      /* The first click comes a period in, past the start. */
      guint64 p = (pos + i) % period;
      q[i] = pos + i >= period && p < click ?
          0.8f * sinf (2 * G_PI * 1000.0 * p / rate) : 0.0f;
      onset |= pos + i >= period && p == 0;
    }
    sleep_until (t0 + (double) (pos + QUANTUM) / rate);
    if (ws_send_binary (fd, q, sizeof q) < 0) {
      fprintf (stderr, "miclat: the server closed the connection\n");
      break;
    }
    if (onset) {
      double t = ws_now ();
      g_array_append_val (sent, t);
    }
    pos += QUANTUM;
  }
  return sent;
}

/* The median latency of each minute (LAT[i] sent AT[i] s in), comma
 * separated: where a trend would show. */
static GString *
per_minute (const double *lat, const double *at, guint n)
{
  GString *out = g_string_new (NULL);
  double *tmp = g_new (double, n + 1);
  guint i = 0;

  while (i < n) {
    guint k = 0, minute = (guint) (at[i] / 60);

    for (; i < n && (guint) (at[i] / 60) == minute; i++)
      tmp[k++] = lat[i];
    g_string_append_printf (out, "%s%.1f", out->len ? "," : "",
        median (tmp, k));
  }
  g_free (tmp);
  if (out->len == 0)
    g_string_append (out, "-");
  return out;
}

int
main (int argc, char **argv)
{
  int rate = 48000, declare = 0, interval_ms = 500, edge = 20, a, fd;
  double seconds = 15, skip = 2, t_start, *lat, *at, start_med, end_med, med;
  GString *minutes;
  const char *source = "microphone", *trace = NULL;
  GArray *sent;
  GstElement *rec;
  char path[64];
  guint i, j = 0, n = 0, counted;

  gst_init (&argc, &argv);
  for (a = 1; a < argc && strncmp (argv[a], "--", 2) == 0; a++) {
    if (!strcmp (argv[a], "--rate") && a + 1 < argc)
      rate = atoi (argv[++a]);
    else if (!strcmp (argv[a], "--declare"))
      declare = 1;
    else if (!strcmp (argv[a], "--seconds") && a + 1 < argc)
      seconds = atof (argv[++a]);
    else if (!strcmp (argv[a], "--interval-ms") && a + 1 < argc)
      interval_ms = atoi (argv[++a]);
    else if (!strcmp (argv[a], "--source") && a + 1 < argc)
      source = argv[++a];
    else if (!strcmp (argv[a], "--skip") && a + 1 < argc)
      skip = atof (argv[++a]);
    else if (!strcmp (argv[a], "--edge") && a + 1 < argc)
      edge = atoi (argv[++a]);
    else if (!strcmp (argv[a], "--trace") && a + 1 < argc)
      trace = argv[++a];
    else {
      fprintf (stderr, "miclat: unknown option %s\n", argv[a]);
      return 64;
    }
  }
  if (argc - a != 2) {
    fprintf (stderr, "usage: miclat [--rate R] [--declare] [--seconds S] "
        "[--interval-ms MS] [--source DEV] [--skip S] [--edge N] "
        "[--trace FILE] HOST PORT\n");
    return 64;
  }
  onsets_init (&heard, 0.4, REC_RATE / 10);
  rec = start_recorder (source);
  for (i = 0; heard.first == 0; i++) {
    if (i == 1000) {
      fprintf (stderr, "miclat: no audio from %s in 10 s\n", source);
      return 1;
    }
    g_usleep (10000);
  }
  snprintf (path, sizeof path, declare ? "/?rate=%d" : "/", rate);
  if ((fd = ws_open (argv[a], atoi (argv[a + 1]), path)) < 0)
    return 1;
  t_start = ws_now ();
  sent = talk (fd, rate, seconds, interval_ms);
  g_usleep (interval_ms * 1000);
  gst_element_set_state (rec, GST_STATE_NULL);
  close (fd);

  /* Each click sent after the skip, with the first onset heard after it. */
  lat = g_new (double, sent->len + 1);
  at = g_new (double, sent->len + 1);
  for (i = 0; i < sent->len; i++) {
    double ts = g_array_index (sent, double, i);

    while (j < heard.times->len && g_array_index (heard.times, double, j) < ts)
      j++;
    if (ts - t_start < skip || j == heard.times->len)
      continue;
    if (g_array_index (heard.times, double, j) - ts < interval_ms * 0.9e-3) {
      at[n] = ts - t_start;
      lat[n++] = (g_array_index (heard.times, double, j) - ts) * 1000;
    }
  }
  counted = n;
  if (trace != NULL) {
    FILE *f = fopen (trace, "w");

    for (i = 0; f != NULL && i < n; i++)
      fprintf (f, "%.3f %.1f\n", at[i], lat[i]);
    if (f == NULL || fclose (f) != 0)
      fprintf (stderr, "miclat: cannot write %s\n", trace);
  }
  {
    double *tmp = g_new (double, edge);
    guint k = MIN ((guint) edge, n);

    memcpy (tmp, lat, k * sizeof *tmp);
    start_med = median (tmp, k);
    memcpy (tmp, lat + n - k, k * sizeof *tmp);
    end_med = median (tmp, k);
  }
  minutes = per_minute (lat, at, n);
  med = median (lat, n);
  printf ("clicks=%u matched=%u median_ms=%.1f max_ms=%.1f start_ms=%.1f "
      "end_ms=%.1f seconds=%.0f minutes=%s\n", sent->len, counted, med,
      n ? lat[n - 1] : -1.0, start_med, end_med, ws_now () - t_start,
      minutes->str);
  return counted >= (guint) edge ? 0 : 2;
}

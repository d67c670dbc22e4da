/* wsaudio bench — tick latency of the speaker stream, decoded at a
 * WebSocket client.  SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * ticklat [options] HOST PORT
 *   --ticks N         ticks to match (default 24)
 *   --interval-ms MS  between ticks (default 400)
 *   --play DEV        PulseAudio sink the ticks go into (default speaker)
 *   --monitor DEV     where they are detected first (default DEV.monitor)
 *   --first           only the on-demand start: connect, wait for decoded
 *                     audio, print first_byte_ms and first_decoded_ms
 *
 * Three pipelines in one process:
 *   player:  audiotestsrc wave=ticks (1 kHz, 20 ms, 0.8) ! pulsesink DEV
 *   monitor: pulsesrc DEV.monitor (5 ms fragments, 100 ms of headroom:
 *            less loses data on a busy machine) ! appsink
 *   client:  the WebSocket stream (MPEG-TS, read by a thread, demuxed as
 *            JSMpeg does: PES of stream id 0xC0, PAT/PMT ignored) ! appsrc
 *            (one MP2 frame a buffer) ! mpg123audiodec ! appsink
 * The demuxing is ours, not tsdemux ! mpegaudioparse: mpegaudioparse holds
 * the first frames until it has seen three in a row, which a browser does
 * not.
 * An onset is a sample of |x| >= 0.4 after 100 ms below, stamped with the
 * CLOCK_MONOTONIC time its buffer reached the appsink: the moment a listener
 * there could hear it.  Each client onset is paired with the latest monitor
 * onset before it (within 0.9 interval); latency = client - monitor.
 * Prints one line of key=value: first_byte_ms first_decoded_ms (connect() →
 * first stream byte, → first decoded buffer) ticks matched median_ms min_ms
 * max_ms. */
#include "onset.h"
#include "wsconn.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RATE 44100

/* The packets of the audio PES, collected. */
typedef struct
{
  guint8 pkt[188];
  guint pkt_len;
  int pid;                      /* of the 0xC0 stream, -1 before */
  guint8 pes[8192];
  guint pes_len, pes_want;
} Demux;

typedef struct
{
  int fd;
  Demux demux;
  GstAppSrc *src;
  double t_connect, t_first_byte, t_decoded;
  Onsets monitor, client;
} Probe;

static Probe probe;

static GstFlowReturn
on_sample (GstAppSink * sink, gpointer data)
{
  Onsets *o = data;
  GstSample *s = gst_app_sink_pull_sample (sink);
  GstBuffer *b = gst_sample_get_buffer (s);
  double t = ws_now ();
  GstMapInfo map;

  if (o == &probe.client && probe.t_decoded == 0)
    probe.t_decoded = t;
  if (gst_buffer_map (b, &map, GST_MAP_READ)) {
    onsets_feed (o, (const float *) map.data, map.size / sizeof (float), t);
    gst_buffer_unmap (b, &map);
  }
  gst_sample_unref (s);
  return GST_FLOW_OK;
}

static GstElement *
start (const char *desc, Onsets * o)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);

  if (p == NULL) {
    fprintf (stderr, "ticklat: %s: %s\n", desc, err->message);
    exit (1);
  }
  if (o) {
    GstAppSinkCallbacks cb = {.new_sample = on_sample };
    GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
    gst_app_sink_set_callbacks (GST_APP_SINK (sink), &cb, o, NULL);
    gst_object_unref (sink);
  }
  if (gst_element_set_state (p, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    fprintf (stderr, "ticklat: could not start %s\n", desc);
    exit (1);
  }
  return p;
}

static void
stop (GstElement * p)
{
  if (p == NULL)
    return;
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

/* A whole PES packet: its payload (one MP2 frame) to the decoder. */
static void
push_pes (const guint8 * pes, guint len)
{
  guint hdr = 9 + pes[8];

  if (len > hdr)
    gst_app_src_push_buffer (probe.src,
        gst_buffer_new_memdup (pes + hdr, len - hdr));
}

static void
demux_packet (Demux * d, const guint8 * p)
{
  int pid = ((p[1] & 0x1f) << 8) | p[2], pusi = p[1] & 0x40;
  guint off = 4, n;

  if (p[0] != 0x47 || !(p[3] & 0x10))
    return;
  if (p[3] & 0x20)
    off += 1 + p[4];
  if (off >= 188)
    return;
  if (pusi && p[off] == 0 && p[off + 1] == 0 && p[off + 2] == 1
      && p[off + 3] == 0xc0) {
    d->pid = pid;
    d->pes_len = 0;
    d->pes_want = 6 + ((p[off + 4] << 8) | p[off + 5]);
  }
  if (pid != d->pid || d->pes_want == 0)
    return;
  n = MIN (188 - off, sizeof d->pes - d->pes_len);
  memcpy (d->pes + d->pes_len, p + off, n);
  d->pes_len += n;
  if (d->pes_len >= d->pes_want) {
    push_pes (d->pes, d->pes_want);
    d->pes_want = 0;
  }
}

/* Messages need not hold whole packets. */
static void
demux (Demux * d, const guint8 * data, long len)
{
  while (len > 0) {
    guint n = MIN ((guint) len, 188 - d->pkt_len);

    memcpy (d->pkt + d->pkt_len, data, n);
    d->pkt_len += n;
    data += n;
    len -= n;
    if (d->pkt_len == 188) {
      demux_packet (d, d->pkt);
      d->pkt_len = 0;
    }
  }
}

/* The stream, message by message, into the decoder. */
static gpointer
reader (gpointer data)
{
  static guint8 buf[65536];
  long n;

  while ((n = ws_read_message (probe.fd, buf, sizeof buf)) >= 0) {
    if (n == 0)
      continue;
    if (probe.t_first_byte == 0)
      probe.t_first_byte = ws_now ();
    demux (&probe.demux, buf, n);
  }
  return NULL;
}

/* Waits up to SECONDS for *FLAG (a time) to be set or COUNT onsets. */
static gboolean
wait_for (double *flag, Onsets * o, guint count, double seconds)
{
  double limit = ws_now () + seconds;

  while (ws_now () < limit) {
    if (flag ? *flag > 0 : onsets_count (o) >= count)
      return TRUE;
    g_usleep (10000);
  }
  return FALSE;
}

static guint
match (double *lat, double window)
{
  Onsets *m = &probe.monitor, *c = &probe.client;
  guint i, j = 0, n = 0;

  for (i = 0; i < c->times->len; i++) {
    double tc = g_array_index (c->times, double, i), best = -1;

    for (; j < m->times->len && g_array_index (m->times, double, j) <= tc; j++)
      best = g_array_index (m->times, double, j);
    if (best > 0 && tc - best < window)
      lat[n++] = (tc - best) * 1000;
  }
  return n;
}

int
main (int argc, char **argv)
{
  const char *play = "speaker", *host;
  char *monitor = NULL, *desc, path[] = "/";
  int ticks = 24, interval_ms = 400, first_only = 0, a, port;
  GstElement *mon = NULL, *dec, *player;
  GThread *thread;
  double *lat, med;
  guint n, i;

  gst_init (&argc, &argv);
  for (a = 1; a < argc && strncmp (argv[a], "--", 2) == 0; a++) {
    if (!strcmp (argv[a], "--ticks") && a + 1 < argc)
      ticks = atoi (argv[++a]);
    else if (!strcmp (argv[a], "--interval-ms") && a + 1 < argc)
      interval_ms = atoi (argv[++a]);
    else if (!strcmp (argv[a], "--play") && a + 1 < argc)
      play = argv[++a];
    else if (!strcmp (argv[a], "--monitor") && a + 1 < argc)
      monitor = g_strdup (argv[++a]);
    else if (!strcmp (argv[a], "--first"))
      first_only = 1;
    else {
      fprintf (stderr, "ticklat: unknown option %s\n", argv[a]);
      return 64;
    }
  }
  if (argc - a != 2) {
    fprintf (stderr, "usage: ticklat [--ticks N] [--interval-ms MS] "
        "[--play SINK] [--monitor SOURCE] [--first] HOST PORT\n");
    return 64;
  }
  host = argv[a];
  port = atoi (argv[a + 1]);
  if (monitor == NULL)
    monitor = g_strdup_printf ("%s.monitor", play);
  onsets_init (&probe.monitor, 0.4, RATE / 10);
  onsets_init (&probe.client, 0.4, RATE / 10);

  if (!first_only) {
    desc = g_strdup_printf ("pulsesrc device=%s client-name=ticklat-monitor "
        "buffer-time=100000 latency-time=5000 ! audioconvert ! audioresample "
        "! audio/x-raw,format=F32LE,rate=%d,channels=1 ! appsink name=sink "
        "sync=false", monitor, RATE);
    mon = start (desc, &probe.monitor);
    g_free (desc);
    if (!wait_for (&probe.monitor.first, NULL, 0, 10)) {
      fprintf (stderr, "ticklat: no audio from %s\n", monitor);
      return 1;
    }
  }
  probe.demux.pid = -1;
  dec = start ("appsrc name=src is-live=true format=time do-timestamp=true caps=\"audio/mpeg,mpegversion=1,"
      "layer=2,rate=44100,channels=1,parsed=true\" "
      "! mpg123audiodec ! audioconvert ! audioresample "
      "! audio/x-raw,format=F32LE,rate=44100,channels=1 "
      "! appsink name=sink sync=false", &probe.client);
  probe.src = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (dec), "src"));

  probe.t_connect = ws_now ();
  if ((probe.fd = ws_open (host, port, path)) < 0)
    return 1;
  thread = g_thread_new ("reader", reader, NULL);
  if (!wait_for (&probe.t_decoded, NULL, 0, 10)) {
    fprintf (stderr, "ticklat: no decoded audio 10 s after connecting\n");
    return 1;
  }
  printf ("first_byte_ms=%.1f first_decoded_ms=%.1f",
      (probe.t_first_byte - probe.t_connect) * 1000,
      (probe.t_decoded - probe.t_connect) * 1000);
  if (first_only) {
    printf ("\n");
    return 0;
  }

  /* Let the stream settle past its start, then tick. */
  g_usleep (500000);
  desc = g_strdup_printf ("audiotestsrc is-live=true wave=ticks freq=1000 "
      "sine-periods-per-tick=20 tick-interval=%" G_GUINT64_FORMAT
      " volume=0.8 ! audio/x-raw,rate=%d,channels=1 "
      "! pulsesink device=%s client-name=ticklat-player",
      (guint64) interval_ms * GST_MSECOND, RATE, play);
  player = start (desc, NULL);
  g_free (desc);
  /* A few more than asked: one may be lost at either end. */
  if (!wait_for (NULL, &probe.client, ticks + 3,
          (ticks + 3) * interval_ms / 1000.0 + 10))
    fprintf (stderr, "ticklat: only %u ticks reached the client\n",
        onsets_count (&probe.client));
  stop (player);
  stop (mon);
  shutdown (probe.fd, SHUT_RDWR);
  gst_app_src_end_of_stream (probe.src);
  g_thread_join (thread);
  stop (dec);

  lat = g_new (double, probe.client.times->len + 1);
  n = match (lat, interval_ms * 0.9 / 1000);
  med = median (lat, n);
  printf (" ticks=%u matched=%u median_ms=%.1f min_ms=%.1f max_ms=%.1f\n",
      probe.client.times->len, n, med, n ? lat[0] : -1.0,
      n ? lat[n - 1] : -1.0);
  if (getenv ("TICKLAT_VERBOSE"))
    for (i = 0; i < n; i++)
      fprintf (stderr, "%.1f ", lat[i]);
  return n >= (guint) ticks ? 0 : 2;
}

/* wsaudio - container tests: the audio checks, run on the host against a
 * running container
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   container-probe free-ports N
 *       prints N distinct TCP ports that were free on 127.0.0.1
 *   container-probe speaker PORT [PATH]
 *       plays a 1 kHz tone into the sink "speaker" of $PULSE_SERVER and
 *       checks that ws://127.0.0.1:PORT PATH (default /?jwt_token=x) streams
 *       MPEG-TS that decodes to it (MP2, 44.1 kHz mono)
 *   container-probe listen PORT [PATH]
 *       the same check without playing the tone: something else (a desktop
 *       container) plays 1 kHz into "speaker"
 *   container-probe microphone PORT PATH RATE
 *       sends a 1 kHz F32LE mono tone at RATE to ws://127.0.0.1:PORT PATH the
 *       way the browser does (one 512-byte message per 128-sample render
 *       quantum, paced in real time) and checks that the source "microphone"
 *       of $PULSE_SERVER records it at 1 kHz
 *   container-probe refused PORT PATH
 *       one WebSocket handshake with ws://127.0.0.1:PORT PATH: passes when
 *       the server answers HTTP 401 (no or a wrong token)
 *
 * Frequencies must be within 2 %.  Exit status 0 when the check passes, 1
 * with a message on stderr when it fails, 64 on a usage error.  Nothing
 * sleeps: every wait polls its condition on the main context with a
 * timeout.
 */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>
#include <stdlib.h>

#include "tone.h"
#include "wsa-test-wait.h"
#include "wstest.h"

#define TONE_HZ 1000.0
#define TOLERANCE 0.02
#define MIN_RMS 0.2
#define QUANTUM 128             /* samples per microphone message */
#define RECORD_RATE 44100
/* Generous: the first client starts the on-demand speaker pipeline, and a
 * pipeline may be waiting out a restart delay. */
#define TIMEOUT_MS 20000

G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);

#define SPEAKER_TONE "audiotestsrc is-live=true freq=1000 volume=0.5 ! " \
  "audio/x-raw,rate=44100,channels=1 ! pulsesink device=speaker " \
  "client-name=container-probe-tone"
#define SPEAKER_LISTENER "websocketsrc uri=\"ws://127.0.0.1:%u%s\" " \
  "caps=\"video/mpegts,systemstream=true,packetsize=188\" ! tsdemux ! " \
  "mpegaudioparse ! mpg123audiodec ! audioconvert ! " \
  "audio/x-raw,format=F32LE ! appsink name=pcm sync=false"
#define MICROPHONE_RECORDER "pulsesrc device=microphone buffer-time=20000 " \
  "latency-time=5000 client-name=container-probe-recorder ! audioconvert ! " \
  "audioresample ! audio/x-raw,format=F32LE,rate=44100,channels=1 ! " \
  "appsink name=pcm sync=false"

static int fail (const gchar * format, ...) G_GNUC_PRINTF (1, 2);

static int
fail (const gchar * format, ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("container-probe: FAIL: %s\n", message);
  return 1;
}

static GstElement *
pipeline_start (const gchar * description, GError ** error)
{
  GstElement *pipeline = gst_parse_launch (description, error);

  if (pipeline == NULL)
    return NULL;
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
        "cannot start %s", description);
    gst_object_unref (pipeline);
    return NULL;
  }
  return pipeline;
}

static void
pipeline_stop (GstElement * pipeline)
{
  if (pipeline == NULL)
    return;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

/* The first error @pipeline posted, as "element: message", or NULL. */
static gchar *
pipeline_error (GstElement * pipeline)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;

  if (msg == NULL)
    return NULL;
  gst_message_parse_error (msg, &error, &debug);
  return g_strdup_printf ("%s: %s (%s)", GST_OBJECT_NAME (msg->src),
      error->message, debug ? debug : "");
}

/* Collects the F32 mono samples of an appsink. */
typedef struct
{
  GstElement *appsink;
  GArray *samples;
  gint rate;
  gint channels;
  gchar *error;                 /* the pipeline's first error */
} Capture;

static void
capture_init (Capture * c, GstElement * pipeline)
{
  c->appsink = gst_bin_get_by_name (GST_BIN (pipeline), "pcm");
  c->samples = g_array_new (FALSE, FALSE, sizeof (gfloat));
}

static void
capture_clear (Capture * c)
{
  gst_clear_object (&c->appsink);
  g_clear_pointer (&c->samples, g_array_unref);
  g_clear_pointer (&c->error, g_free);
}

static void
capture_pull (Capture * c, GstElement * pipeline)
{
  GstSample *sample;

  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (c->appsink),
              0))) {
    GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample),
        0);
    GstMapInfo map;

    gst_structure_get_int (s, "rate", &c->rate);
    gst_structure_get_int (s, "channels", &c->channels);
    if (gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ)) {
      g_array_append_vals (c->samples, map.data, map.size / sizeof (gfloat));
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
    }
    gst_sample_unref (sample);
  }
  if (c->error == NULL)
    c->error = pipeline_error (pipeline);
}

/* Checks @seconds of @c from sample @start: a tone of @expected_hz. */
static int
check_tone (Capture * c, gsize start, gdouble seconds, gdouble expected_hz,
    const gchar * what)
{
  const gfloat *s = (const gfloat *) c->samples->data + start;
  gsize n = seconds * c->rate;
  gdouble good, hz = tone_median_frequency (s, n, c->rate, expected_hz, &good);
  gdouble rms = tone_rms (s, n);

  g_print ("%s: %.2f Hz (median of 100 ms windows, %.0f %% within 2 %%), "
      "RMS %.3f, %d Hz %d ch\n", what, hz, good * 100, rms, c->rate,
      c->channels);
  if (fabs (hz - expected_hz) > TOLERANCE * expected_hz)
    return fail ("%s: %.2f Hz, expected %.0f Hz ±2 %%", what, hz,
        expected_hz);
  if (good < 0.7)
    return fail ("%s: only %.0f %% of the windows at %.0f Hz", what,
        good * 100, expected_hz);
  if (rms < MIN_RMS)
    return fail ("%s: RMS %.3f, (nearly) silent", what, rms);
  return 0;
}

/* --- speaker --------------------------------------------------------------- */

static gboolean
speaker_has (Capture * c, GstElement * listener, gdouble seconds)
{
  capture_pull (c, listener);
  return c->error != NULL || (c->rate > 0
      && c->samples->len >= seconds * c->rate);
}

static int
probe_speaker (guint port, const gchar * path, gboolean play_tone)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *desc = g_strdup_printf (SPEAKER_LISTENER, port, path);
  GstElement *tone = NULL, *listener = NULL;
  Capture c = { 0 };
  /* Decoded audio after the first 250 ms, one second of it. */
  const gdouble skip = 0.25, seconds = 1.0;
  g_autofree gchar *tone_error = NULL;
  int status;

  if (play_tone && (tone = pipeline_start (SPEAKER_TONE, &error)) == NULL)
    return fail ("tone into \"speaker\": %s", error->message);
  listener = pipeline_start (desc, &error);
  if (listener == NULL) {
    pipeline_stop (tone);
    return fail ("listener: %s", error->message);
  }
  capture_init (&c, listener);

  if (!WSA_TEST_WAIT_UNTIL (speaker_has (&c, listener, skip + seconds),
          TIMEOUT_MS))
    status = fail ("speaker: %u samples decoded from port %u in %d ms",
        c.samples->len, port, TIMEOUT_MS);
  else if (c.error)
    status = fail ("speaker: listener: %s", c.error);
  else if (tone && (tone_error = pipeline_error (tone)))
    status = fail ("speaker: tone: %s", tone_error);
  else if (c.rate != 44100 || c.channels != 1)
    status = fail ("speaker: decoded %d Hz %d channels, expected 44100 Hz "
        "mono", c.rate, c.channels);
  else
    status = check_tone (&c, skip * c.rate, seconds, TONE_HZ, "speaker");

  capture_clear (&c);
  pipeline_stop (listener);
  pipeline_stop (tone);
  return status;
}

/* --- microphone ------------------------------------------------------------ */

/* A browser-like talker: sends the quanta due since it started. */
typedef struct
{
  SoupWebsocketConnection *conn;
  gint rate;
  gint64 start;
  guint64 sent;                 /* samples */
} Talker;

static gboolean
talker_send_due (gpointer user_data)
{
  Talker *t = user_data;
  guint64 due = (g_get_monotonic_time () - t->start) * t->rate
      / G_USEC_PER_SEC;

  while (t->sent + QUANTUM <= due) {
    gfloat quantum[QUANTUM];
    guint i;

    for (i = 0; i < QUANTUM; i++)
      quantum[i] = 0.5f * sin (2 * G_PI * TONE_HZ * (t->sent + i) / t->rate);
    soup_websocket_connection_send_binary (t->conn, quantum, sizeof quantum);
    t->sent += QUANTUM;
  }
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  Capture c;
  gssize onset;
} Recording;

static gboolean
recording_has_tone (Recording * r, GstElement * recorder, gdouble seconds)
{
  capture_pull (&r->c, recorder);
  if (r->onset < 0 && r->c.rate > 0)
    r->onset = tone_onset ((const gfloat *) r->c.samples->data,
        r->c.samples->len, r->c.rate, 0.1);
  return r->c.error != NULL || (r->onset >= 0
      && r->c.samples->len >= r->onset + seconds * r->c.rate);
}

static int
probe_microphone (guint port, const gchar * path, gint rate)
{
  g_autoptr (GError) error = NULL;
  GstElement *recorder;
  Recording r = { {0}, -1 };
  Talker t = { 0 };
  guint status = 0, source;
  /* From 100 ms after the tone appears, 0.9 s of it. */
  const gdouble settle = 0.1, seconds = 0.9;
  int result;

  recorder = pipeline_start (MICROPHONE_RECORDER, &error);
  if (recorder == NULL)
    return fail ("recorder of \"microphone\": %s", error->message);
  capture_init (&r.c, recorder);

  /* The pipeline may still be coming up (or back): retry the connection. */
  WSA_TEST_WAIT_UNTIL ((t.conn = ws_test_connect (port, path, NULL,
              &status)) != NULL, TIMEOUT_MS);
  if (t.conn == NULL) {
    capture_clear (&r.c);
    pipeline_stop (recorder);
    return fail ("microphone: cannot connect to port %u%s (HTTP %u)", port,
        path, status);
  }
  t.rate = rate;
  t.start = g_get_monotonic_time ();
  source = g_timeout_add (2, talker_send_due, &t);

  if (!WSA_TEST_WAIT_UNTIL (recording_has_tone (&r, recorder,
              settle + seconds), TIMEOUT_MS))
    result = fail ("microphone %s at %d Hz: no tone recorded from "
        "\"microphone\" after %" G_GUINT64_FORMAT " samples sent", path, rate,
        t.sent);
  else if (r.c.error)
    result = fail ("microphone: recorder: %s", r.c.error);
  else {
    g_autofree gchar *what = g_strdup_printf ("microphone %s at %d Hz", path,
        rate);

    result = check_tone (&r.c, r.onset + settle * r.c.rate, seconds,
        TONE_HZ, what);
  }

  g_source_remove (source);
  soup_websocket_connection_close (t.conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (t.conn);
  capture_clear (&r.c);
  pipeline_stop (recorder);
  return result;
}

/* --- free-ports ------------------------------------------------------------ */

static int
free_ports (guint n)
{
  g_autoptr (GPtrArray) sockets = g_ptr_array_new_with_free_func
      (g_object_unref);
  guint i;

  for (i = 0; i < n; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GInetAddress) loopback =
        g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr (GSocketAddress) bound = NULL;
    GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
        G_SOCKET_PROTOCOL_TCP, &error);

    if (sock == NULL || !g_socket_bind (sock, any, FALSE, &error)
        || !(bound = g_socket_get_local_address (sock, &error))) {
      g_clear_object (&sock);
      return fail ("free port: %s", error->message);
    }
    g_ptr_array_add (sockets, sock);
    g_print ("%s%u", i ? " " : "",
        g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  }
  g_print ("\n");
  return 0;
}

static guint
parse_uint (const gchar * s, guint max)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (s, 10, 1, max, &value, NULL))
    return 0;
  return value;
}

/* --- refused --------------------------------------------------------------- */

static int
probe_refused (guint port, const gchar * path)
{
  guint status = 0;
  SoupWebsocketConnection *conn = ws_test_connect (port, path, NULL, &status);

  if (conn != NULL) {
    g_object_unref (conn);
    return fail ("port %u%s: connected, expected HTTP 401", port, path);
  }
  if (status != 401)
    return fail ("port %u%s: HTTP %u, expected 401", port, path, status);
  g_print ("port %u%s: HTTP 401\n", port, path);
  return 0;
}

static int
usage (void)
{
  g_printerr ("usage: container-probe free-ports N\n"
      "       container-probe speaker|listen PORT [PATH]\n"
      "       container-probe microphone PORT PATH RATE\n"
      "       container-probe refused PORT PATH\n");
  return 64;
}

int
main (int argc, char **argv)
{
  guint port;

  gst_init (&argc, &argv);
  if (argc == 3 && g_str_equal (argv[1], "free-ports")
      && parse_uint (argv[2], 16))
    return free_ports (parse_uint (argv[2], 16));
  if (argc < 3 || !(port = parse_uint (argv[2], 65535)))
    return usage ();
  if ((argc == 3 || argc == 4) && (g_str_equal (argv[1], "speaker")
          || g_str_equal (argv[1], "listen")))
    return probe_speaker (port, argc == 4 ? argv[3] : "/?jwt_token=x",
        g_str_equal (argv[1], "speaker"));
  if (argc == 4 && g_str_equal (argv[1], "refused"))
    return probe_refused (port, argv[3]);
  if (argc == 5 && g_str_equal (argv[1], "microphone")
      && parse_uint (argv[4], 384000))
    return probe_microphone (port, argv[3], parse_uint (argv[4], 384000));
  return usage ();
}

/* wsaudio - tests: PulseAudio killed (-9) and started again mid-stream
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A private PulseAudio daemon; two supervised pipelines as in production:
 * "tone" plays a sine into the sink "speaker", "speaker" captures
 * speaker.monitor into a websocketsink with a WebSocket client attached.
 * The daemon is killed and restarted: the client must stay connected and
 * get audio again within 3 s of PulseAudio answering again.  Done twice:
 * with raw PCM, where the client checks it hears the tone itself, and with
 * the contract's MP2 in MPEG-TS, where it checks audio PES packets arrive.
 */
#include <gst/check/gstcheck.h>

#include "launcher-test-util.h"
#include "wsa-test-client.h"
#include "wsa-test-pulse.h"

#define TIMEOUT 10000
#define RECOVERY_MS 3000

#define TONE "[pipeline]\n" \
  "launch = audiotestsrc is-live=true wave=sine freq=440 volume=0.5 ! " \
  "audio/x-raw,format=S16LE,rate=44100,channels=1 ! " \
  "pulsesink name=out device=speaker\n" \
  "restart-delay = 100ms\nrestart-max-delay = 300ms\n"
#define SPEAKER(encode) "[pipeline]\n" \
  "launch = pulsesrc device=speaker.monitor ! " \
  "audio/x-raw,format=S16LE,rate=44100,channels=1 ! " encode \
  "websocketsink name=ws host=127.0.0.1 port=0\n" \
  "restart-delay = 100ms\nrestart-max-delay = 300ms\n" \
  "stall-timeout = 1s\n"
#define RAW ""
#define MP2_TS "twolamemp2enc bitrate=128 ! mpegaudioparse ! mpegtsmux ! "

typedef gboolean (*MessageCheck) (GBytes * message);

/* When the client last received a message that passed the check. */
static gint64 last_good;

static gboolean
is_loud (GBytes * message)
{
  gsize size, i;
  const gint16 *samples = g_bytes_get_data (message, &size);

  for (i = 0; i < size / 2; i++)
    if (ABS (GINT16_FROM_LE (samples[i])) > 4000)
      return TRUE;
  return FALSE;
}

/* TS packets carrying audio: a PES header of stream 0xC0, which is what
 * JSMpeg plays (PAT/PMT alone do not count). */
static gboolean
is_transport_stream (GBytes * message)
{
  gsize size, i;
  const guint8 *data = g_bytes_get_data (message, &size);

  if (size < 188 || data[0] != 0x47)
    return FALSE;
  for (i = 0; i + 4 <= size; i++)
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1
        && data[i + 3] == 0xC0)
      return TRUE;
  return FALSE;
}

static void
on_message (SoupWebsocketConnection * conn, gint type, GBytes * message,
    gpointer user_data)
{
  MessageCheck check = user_data;

  if (check (message))
    last_good = g_get_monotonic_time ();
}

static guint
ws_port (WsaSupervisor * sup)
{
  g_autoptr (GstElement) ws = launcher_test_get (sup, "ws");
  gint port = 0;

  g_object_get (ws, "current-port", &port, NULL);
  fail_unless (port > 0);
  return (guint) port;
}

static void
start_pulse (WsaTestPulse * pulse)
{
  g_autoptr (GError) error = NULL;

  fail_unless (wsa_test_pulse_start (pulse, &error), "%s",
      error ? error->message : "");
}

static void
run_scenario (const gchar * speaker_text, MessageCheck check)
{
  g_autoptr (WsaTestPulse) pulse = NULL;
  g_autoptr (WsaSupervisor) tone = NULL;
  g_autoptr (WsaSupervisor) speaker = NULL;
  g_autoptr (WsaTestClient) client = NULL;
  g_autoptr (GError) error = NULL;
  gint64 back_at;

  pulse = wsa_test_pulse_new ();
  start_pulse (pulse);
  tone = launcher_test_supervisor ("tone", TONE, NULL);
  speaker = launcher_test_supervisor ("speaker", speaker_text, NULL);
  wsa_supervisor_start (tone);
  wsa_supervisor_start (speaker);
  fail_unless (WAIT_STATE (tone, WSA_STATE_PLAYING, TIMEOUT));
  fail_unless (WAIT_STATE (speaker, WSA_STATE_PLAYING, TIMEOUT));

  last_good = 0;
  client = wsa_test_client_connect (ws_port (speaker), "/", &error);
  fail_unless (client != NULL, "%s", error ? error->message : "");
  g_signal_connect (client->conn, "message", G_CALLBACK (on_message), check);
  fail_unless (WSA_TEST_WAIT_UNTIL (last_good > 0, TIMEOUT),
      "no audio reached the client");

  /* PulseAudio dies; both pipelines notice and keep trying. */
  wsa_test_pulse_kill (pulse);
  fail_unless (WAIT_STATE (speaker, WSA_STATE_RESTARTING, TIMEOUT));
  fail_unless (WSA_TEST_WAIT_UNTIL (wsa_supervisor_get_restarts (speaker) >= 2
          && wsa_supervisor_get_restarts (tone) >= 2, TIMEOUT));
  fail_if (client->closed, "the client was disconnected");

  /* PulseAudio is back: audio reaches the same client within 3 s. */
  start_pulse (pulse);
  back_at = g_get_monotonic_time ();
  fail_unless (WSA_TEST_WAIT_UNTIL (last_good > back_at,
          RECOVERY_MS + 2000), "no audio after the restart");
  g_printerr ("audio back %" G_GINT64_FORMAT " ms after PulseAudio\n",
      (last_good - back_at) / 1000);
  fail_unless ((last_good - back_at) / 1000 <= RECOVERY_MS,
      "audio came back after %" G_GINT64_FORMAT " ms",
      (last_good - back_at) / 1000);
  fail_if (client->closed, "the client was disconnected");
  fail_unless (WAIT_STATE (speaker, WSA_STATE_PLAYING, TIMEOUT));

  wsa_supervisor_stop (speaker, "test over");
  wsa_supervisor_stop (tone, "test over");
  fail_unless (WSA_TEST_WAIT_UNTIL (client->closed, TIMEOUT));
  fail_unless_equals_int (client->close_code, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
}

static GstPadProbeReturn
count_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);
  return GST_PAD_PROBE_OK;
}

/* Waits until the tone's pulsesink has rendered a few buffers: killing
 * PulseAudio while a pulsesink starts its ring buffer can deadlock
 * pulsesink's streaming thread (GStreamer 1.22), a case for the watchdog
 * rather than for this test. */
static void
wait_tone_flowing (WsaSupervisor * tone)
{
  g_autoptr (GstElement) out = launcher_test_get (tone, "out");
  g_autoptr (GstPad) pad = gst_element_get_static_pad (out, "sink");
  gint rendered = 0;
  gulong probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
      count_buffer, &rendered, NULL);

  fail_unless (WSA_TEST_WAIT_UNTIL (g_atomic_int_get (&rendered) >= 10,
          TIMEOUT));
  gst_pad_remove_probe (pad, probe);
}

/* PulseAudio restarts while an on-demand pipeline waits for a client: the
 * first client afterwards gets audio within 3 s all the same. */
static void
run_waiting_scenario (void)
{
  g_autoptr (WsaTestPulse) pulse = wsa_test_pulse_new ();
  g_autoptr (WsaSupervisor) tone = NULL;
  g_autoptr (WsaSupervisor) speaker = NULL;
  g_autoptr (WsaTestClient) client = NULL;
  g_autoptr (GError) error = NULL;
  gint64 connected_at;

  start_pulse (pulse);
  tone = launcher_test_supervisor ("tone", TONE, NULL);
  speaker = launcher_test_supervisor ("speaker", SPEAKER (RAW)
      "on-demand = ws\n", NULL);
  wsa_supervisor_start (tone);
  wsa_supervisor_start (speaker);
  fail_unless (WAIT_STATE (speaker, WSA_STATE_WAITING, TIMEOUT));
  fail_unless (WAIT_STATE (tone, WSA_STATE_PLAYING, TIMEOUT));
  wait_tone_flowing (tone);
  wsa_test_pulse_kill (pulse);
  fail_unless (WAIT_STATE (tone, WSA_STATE_RESTARTING, TIMEOUT));
  start_pulse (pulse);
  fail_unless (WAIT_STATE (tone, WSA_STATE_PLAYING, TIMEOUT));

  last_good = 0;
  client = wsa_test_client_connect (ws_port (speaker), "/", &error);
  fail_unless (client != NULL, "%s", error ? error->message : "");
  connected_at = g_get_monotonic_time ();
  g_signal_connect (client->conn, "message", G_CALLBACK (on_message), is_loud);
  fail_unless (WSA_TEST_WAIT_UNTIL (last_good > 0, RECOVERY_MS),
      "no audio within 3 s of connecting");
  g_printerr ("audio %" G_GINT64_FORMAT " ms after connecting\n",
      (last_good - connected_at) / 1000);
  fail_if (client->closed, "the client was disconnected");
  wsa_supervisor_stop (speaker, "test over");
  wsa_supervisor_stop (tone, "test over");
}

static gboolean
can_run (void)
{
  g_autoptr (GstElementFactory) factory =
      gst_element_factory_find ("websocketsink");

  fail_unless (factory != NULL, "websocketsink is not available");
  if (wsa_test_pulse_available ())
    return TRUE;
  g_printerr ("SKIP: pulseaudio or pactl not installed\n");
  return FALSE;
}

GST_START_TEST (test_pulseaudio_restart_pcm)
{
  if (can_run ())
    run_scenario (SPEAKER (RAW), is_loud);
}

GST_END_TEST;

GST_START_TEST (test_pulseaudio_restart_mpegts)
{
  if (can_run ())
    run_scenario (SPEAKER (MP2_TS), is_transport_stream);
}

GST_END_TEST;

GST_START_TEST (test_pulseaudio_restart_while_waiting)
{
  if (can_run ())
    run_waiting_scenario ();
}

GST_END_TEST;

static Suite *
pulse_restart_suite (void)
{
  Suite *s = suite_create ("pulse-restart");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, launcher_test_setup_tmpdir,
      launcher_test_teardown_tmpdir);
  tcase_add_test (tc, test_pulseaudio_restart_pcm);
  tcase_add_test (tc, test_pulseaudio_restart_mpegts);
  tcase_add_test (tc, test_pulseaudio_restart_while_waiting);
  return s;
}

GST_CHECK_MAIN (pulse_restart);

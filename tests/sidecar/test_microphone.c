/* wsaudio - sidecar tests: pipelines/microphone.pipeline end to end
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A private PulseAudio and the bundled microphone pipeline run by
 * `wsaudio run`: a WebSocket client sends a 1 kHz tone the way the browser
 * front end does (one binary message per 128-sample render quantum, F32LE
 * mono, 512 bytes, paced in real time) and the tone is recorded from the
 * PulseAudio source "microphone" at 1 kHz: with the rate declared, and with
 * nothing declared at 48, 44.1, 32 and 16 kHz (websocketsrc infers it).  A
 * client declaring 44.1 kHz while sending 48 kHz is trusted and comes out
 * at 44.1/48 of the pitch, which shows that the check can fail.  A client
 * sending in 100 ms bursts is recorded without a gap.  The pipeline file
 * has pulsesink sync=false (see its comment); it plays as clean with
 * sync=true, which the last tests run.
 */
#include <string.h>
#include <gst/check/gstcheck.h>

#include "sidecar-util.h"
#include "wsa-test-wait.h"

/* Recorded audio analysed: 0.9 s from half a second after the tone appears
 * (an undeclared client plays at the caps' rate until its own is inferred,
 * within the first half second). */
#define SETTLE_SECONDS 0.5
#define ANALYSE_SECONDS 0.9

/* The bundled pipeline file with pulsesink sync=true, in @dir. */
static gchar *
synchronised_pipeline (const gchar * dir)
{
  g_autofree gchar *bundled = g_build_filename (WSAUDIO_SOURCE_ROOT,
      "pipelines", "microphone.pipeline", NULL);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree gchar *changed = NULL;
  gchar *path = g_build_filename (dir, "microphone.pipeline", NULL), *at;
  guint i, found = 0;

  fail_unless (g_file_get_contents (bundled, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i] != NULL; i++) {
    if (!g_str_has_prefix (lines[i], "launch =")
        || (at = strstr (lines[i], " sync=false")) == NULL)
      continue;
    /* " sync=false" becomes " sync=true " */
    memcpy (at, " sync=true ", strlen (" sync=false"));
    found++;
  }
  fail_unless_equals_int (found, 1);
  changed = g_strjoinv ("\n", lines);
  fail_unless (g_file_set_contents (path, changed, -1, NULL));
  return path;
}

/* Sends a tone at @rate to the microphone port, declaring @query, in bursts
 * every @burst_ms (0: none), and checks the frequency recorded from the
 * "microphone" source; with @no_gaps, that it never drops out; with
 * @synchronised, through the pipeline with pulsesink sync=true. */
static void
check_microphone_full (const gchar * query, gint rate, guint burst_ms,
    gdouble expected_hz, gboolean no_gaps, gboolean synchronised)
{
  g_autoptr (WsaTestPulse) pulse = sidecar_start_pulse ();
  g_autoptr (LauncherProcess) proc = NULL;
  g_autofree gchar *path = NULL;
  GstElement *recorder;
  SidecarPcm pcm;
  SidecarTalker talker;
  guint port, status = 0;

  sidecar_setenv ("WSAUDIO_MICROPHONE_PORT", "0", "CONTAINER_IP_ADDR",
      "127.0.0.1", "WSAUDIO_MICROPHONE_TOKEN", NULL, "WSAUDIO_TOKEN", NULL,
      NULL);
  if (synchronised) {
    path = synchronised_pipeline (wsa_test_pulse_get_dir (pulse));
    proc = sidecar_run_path (path, "microphone", "microphone", &port);
  } else {
    proc = sidecar_run ("microphone.pipeline", "microphone", "microphone",
        &port);
  }
  recorder = sidecar_recorder_start ();
  sidecar_pcm_init (&pcm, recorder, "pcm");

  /* Silence until a browser talks. */
  fail_unless (WSA_TEST_WAIT_UNTIL ((sidecar_pcm_has_tone (&pcm, 0),
              pcm.samples->len >= SIDECAR_RECORD_RATE / 5),
          SIDECAR_TIMEOUT_MS), "nothing recorded");
  fail_unless (pcm.onset < 0, "not silent before a client talks");
  sidecar_pcm_reset (&pcm);

  fail_unless (ws_test_talker_start_full (&talker, port, query, rate, 1,
          burst_ms, SIDECAR_TONE_HZ, &status), "connecting to %u%s: HTTP %u",
      port, query, status);
  fail_unless (WSA_TEST_WAIT_UNTIL (sidecar_pcm_has_tone (&pcm,
              SETTLE_SECONDS + ANALYSE_SECONDS), SIDECAR_TIMEOUT_MS),
      "no tone from \"microphone\" after %u messages", talker.messages);
  sidecar_pipeline_check (recorder);
  sidecar_pcm_check_tone (&pcm, SETTLE_SECONDS, ANALYSE_SECONDS, expected_hz);
  if (no_gaps)
    sidecar_pcm_check_no_gaps (&pcm, SETTLE_SECONDS, ANALYSE_SECONDS);
  fail_unless (launcher_process_wait_line (proc,
          "pipeline=microphone state=playing", 0, SIDECAR_TIMEOUT_MS) >= 0);
  /* The operator learns the inferred rate from the launcher's log. */
  if (strstr (query, "rate=") == NULL && rate != 44100) {
    g_autofree gchar *line = g_strdup_printf ("The client sends %d Hz audio",
        rate);
    fail_unless (launcher_process_wait_line (proc, line, 0,
            SIDECAR_TIMEOUT_MS) >= 0, "no \"%s\" in the launcher's log",
        line);
  }
  fail_unless_equals_int (launcher_process_count_lines (proc,
          "state=restarting", 0), 0);

  sidecar_talker_stop (&talker);
  sidecar_pcm_clear (&pcm);
  sidecar_pipeline_stop (recorder);
}

static void
check_microphone (const gchar * query, gint rate, guint burst_ms,
    gdouble expected_hz, gboolean no_gaps)
{
  check_microphone_full (query, rate, burst_ms, expected_hz, no_gaps, FALSE);
}

GST_START_TEST (test_microphone_44100_by_default)
{
  check_microphone ("/?jwt_token=ignored", 44100, 0, SIDECAR_TONE_HZ, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_microphone_48000_declared)
{
  check_microphone ("/?rate=48000", 48000, 0, SIDECAR_TONE_HZ, FALSE);
}

GST_END_TEST;

/* The browser front end: its AudioContext runs at 48 kHz, it says nothing. */
GST_START_TEST (test_microphone_48000_undeclared)
{
  check_microphone ("/", 48000, 0, SIDECAR_TONE_HZ, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_microphone_32000_undeclared)
{
  check_microphone ("/", 32000, 0, SIDECAR_TONE_HZ, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_microphone_16000_undeclared)
{
  check_microphone ("/", 16000, 0, SIDECAR_TONE_HZ, FALSE);
}

GST_END_TEST;

/* A declared rate is trusted, even a wrong one: the old container's pitch. */
GST_START_TEST (test_microphone_wrong_declaration_is_off_pitch)
{
  check_microphone ("/?rate=44100", 48000, 0, SIDECAR_TONE_HZ * 44100 /
      48000, FALSE);
}

GST_END_TEST;

/* The browser's main thread stalls: frames come in 100 ms bursts. */
GST_START_TEST (test_microphone_bursts_without_gaps)
{
  check_microphone ("/?rate=48000", 48000, 100, SIDECAR_TONE_HZ, TRUE);
}

GST_END_TEST;

/* pulsesink sync=true: websocketsrc judges lateness against the pipeline
 * latency, not its own, so the buffers the sink holds do not look late. */
GST_START_TEST (test_microphone_synchronised_48000_undeclared)
{
  check_microphone_full ("/", 48000, 0, SIDECAR_TONE_HZ, FALSE, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_microphone_synchronised_bursts_without_gaps)
{
  check_microphone_full ("/?rate=48000", 48000, 100, SIDECAR_TONE_HZ, TRUE,
      TRUE);
}

GST_END_TEST;

static Suite *
sidecar_microphone_suite (void)
{
  Suite *s = suite_create ("sidecar-microphone");
  TCase *tc = tcase_create ("microphone");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_microphone_44100_by_default);
  tcase_add_test (tc, test_microphone_48000_declared);
  tcase_add_test (tc, test_microphone_48000_undeclared);
  tcase_add_test (tc, test_microphone_32000_undeclared);
  tcase_add_test (tc, test_microphone_16000_undeclared);
  tcase_add_test (tc, test_microphone_wrong_declaration_is_off_pitch);
  tcase_add_test (tc, test_microphone_bursts_without_gaps);
  tcase_add_test (tc, test_microphone_synchronised_48000_undeclared);
  tcase_add_test (tc, test_microphone_synchronised_bursts_without_gaps);
  return s;
}

GST_CHECK_MAIN (sidecar_microphone);

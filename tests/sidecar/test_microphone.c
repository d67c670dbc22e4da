/* wsaudio - sidecar tests: pipelines/microphone.pipeline end to end
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A private PulseAudio and the bundled microphone pipeline run by
 * `wsaudio run`: a WebSocket client sends a 1 kHz tone the way the browser
 * front end does (one binary message per 128-sample render quantum, F32LE
 * mono, 512 bytes, paced in real time) and the tone is recorded from the
 * PulseAudio source "microphone" at 1 kHz, at 44.1 kHz and at 48 kHz with
 * the rate declared.  Undeclared 48 kHz comes out at 44.1/48 of the pitch,
 * the old container's bug, which shows that the check can fail.
 */
#include <gst/check/gstcheck.h>

#include "sidecar-util.h"
#include "wsa-test-wait.h"

/* Recorded audio analysed: 100 ms after the tone appears, 0.9 s. */
#define SETTLE_SECONDS 0.1
#define ANALYSE_SECONDS 0.9

/* Sends a tone at @rate to the microphone port, declaring @query, and
 * checks the frequency recorded from the "microphone" source. */
static void
check_microphone (const gchar * query, gint rate, gdouble expected_hz)
{
  g_autoptr (WsaTestPulse) pulse = sidecar_start_pulse ();
  g_autoptr (LauncherProcess) proc = NULL;
  GstElement *recorder;
  SidecarPcm pcm;
  SidecarTalker talker;
  guint port;

  sidecar_setenv ("WSAUDIO_MICROPHONE_PORT", "0", "CONTAINER_IP_ADDR",
      "127.0.0.1", "WSAUDIO_MICROPHONE_TOKEN", NULL, "WSAUDIO_TOKEN", NULL,
      NULL);
  proc = sidecar_run ("microphone.pipeline", "microphone", "microphone", &port);
  recorder = sidecar_recorder_start ();
  sidecar_pcm_init (&pcm, recorder, "pcm");

  /* Silence until a browser talks. */
  fail_unless (WSA_TEST_WAIT_UNTIL ((sidecar_pcm_has_tone (&pcm, 0),
              pcm.samples->len >= SIDECAR_RECORD_RATE / 5),
          SIDECAR_TIMEOUT_MS), "nothing recorded");
  fail_unless (pcm.onset < 0, "not silent before a client talks");
  sidecar_pcm_reset (&pcm);

  sidecar_talker_start (&talker, port, query, rate);
  fail_unless (WSA_TEST_WAIT_UNTIL (sidecar_pcm_has_tone (&pcm,
              SETTLE_SECONDS + ANALYSE_SECONDS), SIDECAR_TIMEOUT_MS),
      "no tone from \"microphone\" after %u messages", talker.messages);
  sidecar_pipeline_check (recorder);
  sidecar_pcm_check_tone (&pcm, SETTLE_SECONDS, ANALYSE_SECONDS, expected_hz);
  fail_unless (launcher_process_wait_line (proc,
          "pipeline=microphone state=playing", 0, SIDECAR_TIMEOUT_MS) >= 0);
  fail_unless_equals_int (launcher_process_count_lines (proc,
          "state=restarting", 0), 0);

  sidecar_talker_stop (&talker);
  sidecar_pcm_clear (&pcm);
  sidecar_pipeline_stop (recorder);
}

GST_START_TEST (test_microphone_44100_by_default)
{
  check_microphone ("/?jwt_token=ignored", 44100, SIDECAR_TONE_HZ);
}

GST_END_TEST;

GST_START_TEST (test_microphone_48000_declared)
{
  check_microphone ("/?rate=48000", 48000, SIDECAR_TONE_HZ);
}

GST_END_TEST;

GST_START_TEST (test_microphone_48000_undeclared_is_off_pitch)
{
  check_microphone ("/", 48000, SIDECAR_TONE_HZ * 44100 / 48000);
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
  tcase_add_test (tc, test_microphone_48000_undeclared_is_off_pitch);
  return s;
}

GST_CHECK_MAIN (sidecar_microphone);

/* wsaudio - sidecar tests: tools/run-sidecar, the main job on a bare
 * machine
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * tools/run-sidecar runs the launcher, which supervises PulseAudio with the
 * bundled configuration (pulse/) and runs the bundled pipelines.  Speaker
 * and microphone audio flow; PulseAudio told to exit is started again and both
 * directions recover without anyone restarting anything; SIGTERM ends the
 * launcher with status 0 and PulseAudio with it.
 */
#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

#include "sidecar-util.h"
#include "wsa-test-wait.h"

#define SETTLE_SECONDS 0.25
#define ANALYSE_SECONDS 0.5

/* Runs pactl @command (NULL-terminated); TRUE if it succeeded. */
static gboolean
pactl (const gchar * command, ...)
{
  const gchar *argv[8] = { "pactl", command };
  const gchar *arg;
  guint i = 2;
  gint status = -1;
  va_list args;

  va_start (args, command);
  while ((arg = va_arg (args, const gchar *)) && i < G_N_ELEMENTS (argv) - 1)
    argv[i++] = arg;
  va_end (args);
  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH
      | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
      NULL, NULL, &status, NULL);
  return status == 0;
}

GST_START_TEST (test_run_sidecar_recovers_and_stops)
{
  g_autofree gchar *tmp = g_dir_make_tmp ("wsaudio-run-sidecar-XXXXXX", NULL);
  g_autofree gchar *server = g_strdup_printf ("unix:%s/pulse.sock", tmp);
  g_autofree gchar *script = g_build_filename (WSAUDIO_SOURCE_ROOT, "tools",
      "run-sidecar", NULL);
  g_autofree gchar *client_conf = g_build_filename (WSAUDIO_SOURCE_ROOT,
      "pulse", "client.conf", NULL);
  const gchar *argv[] = { script, NULL };
  g_autoptr (LauncherProcess) proc = NULL;
  GstElement *tone, *listener, *recorder;
  SidecarPcm heard, recorded;
  SidecarTalker talker;
  guint speaker_port, microphone_port;
  gint status = -1;
  gint64 back;

  /* A private daemon: its socket, runtime files and cookie under tmp. */
  sidecar_setenv ("HOME", tmp, "XDG_RUNTIME_DIR", tmp, "PULSE_SERVER",
      server, "PULSE_CLIENTCONFIG", client_conf, "PULSEAUDIO_COOKIE", NULL,
      "WSAUDIO", launcher_binary (), "CONTAINER_IP_ADDR", "127.0.0.1",
      "WSAUDIO_SPEAKER_PORT", "0", "WSAUDIO_MICROPHONE_PORT", "0",
      "WSAUDIO_TOKEN", NULL, NULL);
  proc = launcher_process_spawnv (argv);
  speaker_port = sidecar_wait_port (proc, "speaker", "speaker");
  microphone_port = sidecar_wait_port (proc, "microphone", "microphone");
  fail_unless (WSA_TEST_WAIT_UNTIL (pactl ("info", NULL), SIDECAR_TIMEOUT_MS));

  /* Both directions. */
  tone = sidecar_tone_start ("speaker");
  listener = sidecar_listener_start (speaker_port, "/", FALSE);
  sidecar_pcm_init (&heard, listener, "pcm");
  recorder = sidecar_recorder_start ();
  sidecar_pcm_init (&recorded, recorder, "pcm");
  sidecar_talker_start (&talker, microphone_port, "/?rate=48000", 48000);
  fail_unless (WSA_TEST_WAIT_UNTIL (sidecar_pcm_has_tone (&heard,
              SETTLE_SECONDS + ANALYSE_SECONDS)
          && sidecar_pcm_has_tone (&recorded, SETTLE_SECONDS
              + ANALYSE_SECONDS), SIDECAR_TIMEOUT_MS));
  sidecar_pcm_check_tone (&heard, SETTLE_SECONDS, ANALYSE_SECONDS,
      SIDECAR_TONE_HZ);
  sidecar_pcm_check_tone (&recorded, SETTLE_SECONDS, ANALYSE_SECONDS,
      SIDECAR_TONE_HZ);
  /* The pipelines waited for PulseAudio's socket: none failed at start. */
  fail_unless (launcher_process_wait_line (proc, "reason=\"ready: ", 0,
          0) >= 0);
  fail_unless_equals_int (launcher_process_count_lines (proc,
          "state=restarting", 0), 0);
  fail_unless_equals_int (launcher_process_count_lines (proc, "ERROR", 0), 0);

  /* PulseAudio goes away and comes back by itself. */
  fail_unless (pactl ("exit", NULL));
  fail_unless (launcher_process_wait_line (proc,
          "process=pulseaudio state=restarting", 0,
          SIDECAR_TIMEOUT_MS) >= 0);
  fail_unless (WSA_TEST_WAIT_UNTIL (pactl ("info", NULL), SIDECAR_TIMEOUT_MS));
  back = g_get_monotonic_time ();
  /* The test's own player and recorder lost the daemon too. */
  sidecar_pipeline_stop (tone);
  sidecar_pipeline_stop (recorder);
  sidecar_pcm_clear (&recorded);
  tone = sidecar_tone_start ("speaker");
  recorder = sidecar_recorder_start ();
  sidecar_pcm_init (&recorded, recorder, "pcm");
  sidecar_pcm_reset (&heard);

  /* The same WebSocket clients hear and are heard again. */
  fail_unless (WSA_TEST_WAIT_UNTIL (sidecar_pcm_has_tone (&heard,
              SETTLE_SECONDS + ANALYSE_SECONDS)
          && sidecar_pcm_has_tone (&recorded, SETTLE_SECONDS
              + ANALYSE_SECONDS), SIDECAR_TIMEOUT_MS),
      "no audio %" G_GINT64_FORMAT " ms after PulseAudio came back\n%s",
      (g_get_monotonic_time () - back) / 1000, launcher_process_dump (proc));
  GST_INFO ("both directions back %" G_GINT64_FORMAT " ms after PulseAudio",
      (g_get_monotonic_time () - back) / 1000);
  sidecar_pcm_check_tone (&heard, SETTLE_SECONDS, ANALYSE_SECONDS,
      SIDECAR_TONE_HZ);
  sidecar_pcm_check_tone (&recorded, SETTLE_SECONDS, ANALYSE_SECONDS,
      SIDECAR_TONE_HZ);
  fail_unless_equals_int (soup_websocket_connection_get_state (talker.conn),
      SOUP_WEBSOCKET_STATE_OPEN);

  sidecar_talker_stop (&talker);
  sidecar_pcm_clear (&heard);
  sidecar_pcm_clear (&recorded);
  sidecar_pipeline_stop (listener);
  sidecar_pipeline_stop (recorder);
  sidecar_pipeline_stop (tone);

  /* SIGTERM: the launcher exits 0, and PulseAudio does not outlive it. */
  launcher_process_signal (proc, SIGTERM);
  fail_unless (launcher_process_wait_exit (proc, 5000, &status));
  fail_unless_equals_int (status, 0);
  fail_unless (WSA_TEST_WAIT_UNTIL (!pactl ("info", NULL), 5000),
      "PulseAudio outlived wsaudio");
  wsa_test_remove_tree (tmp);
}

GST_END_TEST;

static Suite *
sidecar_run_suite (void)
{
  Suite *s = suite_create ("sidecar-run");
  TCase *tc = tcase_create ("run-sidecar");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_run_sidecar_recovers_and_stops);
  return s;
}

GST_CHECK_MAIN (sidecar_run);

/* wsaudio - tests: restart policy, backoff, isolation, stall detection and
 * the status documents, on in-process supervisors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>

#include "launcher-test-util.h"
#include "report.h"

#define FLAKY "[pipeline]\n" \
  "launch = audiotestsrc is-live=true samplesperbuffer=441 name=src ! " \
  "fakesink\n"

static gint64
elapsed_ms (gint64 since)
{
  return (g_get_monotonic_time () - since) / 1000;
}

/* Fails the running pipeline and checks the delay chosen and honoured. */
static void
fail_and_check_delay (WsaSupervisor * sup, guint expected_ms)
{
  gint64 failed_at;

  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, 5000));
  failed_at = g_get_monotonic_time ();
  launcher_test_post_error (sup, "src");
  fail_unless (WAIT_STATE (sup, WSA_STATE_RESTARTING, 5000));
  fail_unless_equals_int (wsa_supervisor_get_restart_delay (sup), expected_ms);
  fail_unless (strstr (wsa_supervisor_get_reason (sup), "injected failure"));
  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, 5000));
  fail_unless (elapsed_ms (failed_at) >= expected_ms,
      "restarted after %" G_GINT64_FORMAT " ms, expected >= %u",
      elapsed_ms (failed_at), expected_ms);
}

GST_START_TEST (test_restart_backoff)
{
  StateRecorder rec = { 0 };
  g_autoptr (WsaSupervisor) sup = launcher_test_supervisor ("flaky", FLAKY
      "restart-delay = 50ms\nrestart-max-delay = 200ms\n", &rec);
  gint64 healthy_since;

  wsa_supervisor_start (sup);
  fail_and_check_delay (sup, 50);
  fail_and_check_delay (sup, 100);
  fail_and_check_delay (sup, 200);
  fail_and_check_delay (sup, 200);
  fail_unless_equals_int (wsa_supervisor_get_restarts (sup), 4);
  fail_unless_equals_int (wsa_supervisor_get_consecutive_failures (sup), 4);

  /* A run as long as restart-max-delay resets the delay. */
  healthy_since = g_get_monotonic_time ();
  fail_unless (WSA_TEST_WAIT_UNTIL
      (wsa_supervisor_get_consecutive_failures (sup) == 0, 5000));
  fail_unless (elapsed_ms (healthy_since) >= 190);
  fail_and_check_delay (sup, 50);
  fail_unless_equals_int (wsa_supervisor_get_restarts (sup), 5);
  fail_unless_equals_int (state_recorder_count (&rec, WSA_STATE_RESTARTING), 5);
  fail_unless_equals_int (state_recorder_count (&rec, WSA_STATE_PLAYING), 6);
  wsa_supervisor_stop (sup, "test over");
  state_recorder_clear (&rec);
}

GST_END_TEST;

static GstPadProbeReturn
count_buffers (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);
  return GST_PAD_PROBE_OK;
}

GST_START_TEST (test_failure_isolated)
{
  StateRecorder rec_a = { 0 }, rec_b = { 0 };
  g_autoptr (WsaSupervisor) a = launcher_test_supervisor ("a", FLAKY
      "restart-delay = 10ms\n", &rec_a);
  g_autoptr (WsaSupervisor) b = launcher_test_supervisor ("b", "[pipeline]\n"
      "launch = audiotestsrc is-live=true samplesperbuffer=441 ! "
      "fakesink name=sink\n", &rec_b);
  g_autoptr (GstElement) sink = launcher_test_get (b, "sink");
  g_autoptr (GstPad) pad = gst_element_get_static_pad (sink, "sink");
  gint n_buffers = 0, before;
  guint i;

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffers,
      &n_buffers, NULL);
  wsa_supervisor_start (a);
  wsa_supervisor_start (b);
  fail_unless (WAIT_STATE (b, WSA_STATE_PLAYING, 5000));
  before = g_atomic_int_get (&n_buffers);
  for (i = 0; i < 3; i++) {
    fail_unless (WAIT_STATE (a, WSA_STATE_PLAYING, 5000));
    launcher_test_post_error (a, "src");
    fail_unless (WAIT_STATE (a, WSA_STATE_RESTARTING, 5000));
  }
  fail_unless (WAIT_STATE (a, WSA_STATE_PLAYING, 5000));
  /* b kept playing: it saw only starting → playing, and kept flowing. */
  fail_unless_equals_int (wsa_supervisor_get_restarts (a), 3);
  fail_unless_equals_int (wsa_supervisor_get_restarts (b), 0);
  fail_unless_equals_int (rec_b.states->len, 2);
  fail_unless_equals_int (g_array_index (rec_b.states, WsaState, 1),
      WSA_STATE_PLAYING);
  fail_unless_equals_int (GST_STATE (wsa_supervisor_get_pipeline (b)),
      GST_STATE_PLAYING);
  fail_unless (WSA_TEST_WAIT_UNTIL (g_atomic_int_get (&n_buffers) > before + 5,
          5000));
  wsa_supervisor_stop (a, "test over");
  wsa_supervisor_stop (b, "test over");
  state_recorder_clear (&rec_a);
  state_recorder_clear (&rec_b);
}

GST_END_TEST;

GST_START_TEST (test_eos_policies)
{
  g_autoptr (WsaSupervisor) once = launcher_test_supervisor ("once",
      "[pipeline]\nlaunch = audiotestsrc num-buffers=3 ! fakesink\n"
      "restart = on-failure\n", NULL);
  g_autoptr (WsaSupervisor) loop = launcher_test_supervisor ("loop",
      "[pipeline]\nlaunch = audiotestsrc num-buffers=3 ! fakesink\n"
      "restart = always\nrestart-delay = 10ms\nrestart-max-delay = 20ms\n",
      NULL);

  wsa_supervisor_start (once);
  wsa_supervisor_start (loop);
  fail_unless (WAIT_STATE (once, WSA_STATE_FINISHED, 5000));
  fail_unless_equals_string (wsa_supervisor_get_reason (once), "end of stream");
  fail_unless_equals_int (wsa_supervisor_get_restarts (once), 0);
  fail_unless_equals_int (GST_STATE (wsa_supervisor_get_pipeline (once)),
      GST_STATE_NULL);
  fail_unless (WSA_TEST_WAIT_UNTIL (wsa_supervisor_get_restarts (loop) >= 3,
          5000));
  wsa_supervisor_stop (loop, "test over");
}

GST_END_TEST;

GST_START_TEST (test_never_restart)
{
  g_autoptr (WsaSupervisor) sup = launcher_test_supervisor ("fragile", FLAKY
      "restart = never\n", NULL);

  wsa_supervisor_start (sup);
  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, 5000));
  launcher_test_post_error (sup, "src");
  fail_unless (WAIT_STATE (sup, WSA_STATE_FAILED, 5000));
  fail_unless_equals_string (wsa_supervisor_get_reason (sup),
      "error from src: injected failure");
  fail_unless_equals_int (wsa_supervisor_get_restarts (sup), 0);
  fail_unless_equals_int (GST_STATE (wsa_supervisor_get_pipeline (sup)),
      GST_STATE_NULL);
}

GST_END_TEST;

/* A source that cannot start until its file appears. */
GST_START_TEST (test_start_failure_until_fixed)
{
  g_autofree gchar *data = g_build_filename (launcher_test_tmpdir (),
      "data.raw", NULL);
  g_autofree gchar *text = g_strdup_printf ("[pipeline]\n"
      "launch = filesrc location=%s ! fakesink\nrestart = on-failure\n"
      "restart-delay = 20ms\nrestart-max-delay = 40ms\n", data);
  g_autoptr (WsaSupervisor) sup = launcher_test_supervisor ("file", text, NULL);

  wsa_supervisor_start (sup);
  fail_unless (WSA_TEST_WAIT_UNTIL (wsa_supervisor_get_restarts (sup) >= 3,
          5000));
  fail_unless (strstr (wsa_supervisor_get_reason (sup), "filesrc0"), "%s",
      wsa_supervisor_get_reason (sup));
  fail_unless_equals_int (wsa_supervisor_get_restart_delay (sup), 40);
  fail_unless (g_file_set_contents (data, "0123456789", -1, NULL));
  fail_unless (WAIT_STATE (sup, WSA_STATE_FINISHED, 5000));
}

GST_END_TEST;

GST_START_TEST (test_stall_detected)
{
  g_autoptr (WsaSupervisor) sup = launcher_test_supervisor ("stall",
      "[pipeline]\nlaunch = audiotestsrc is-live=true samplesperbuffer=441 "
      "! valve name=valve ! fakesink\nstall-timeout = 200ms\n"
      "restart-delay = 20ms\nrestart-max-delay = 300ms\n", NULL);
  g_autoptr (GstElement) valve = launcher_test_get (sup, "valve");
  gint64 closed_at;

  wsa_supervisor_start (sup);
  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, 5000));
  closed_at = g_get_monotonic_time ();
  g_object_set (valve, "drop", TRUE, NULL);
  fail_unless (WAIT_STATE (sup, WSA_STATE_RESTARTING, 5000));
  fail_unless (elapsed_ms (closed_at) >= 200);
  fail_unless_equals_string (wsa_supervisor_get_reason (sup),
      "stalled: no buffer reached a sink for 200ms; restart 1 in 20ms");
  g_object_set (valve, "drop", FALSE, NULL);
  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, 5000));
  /* Flowing again: it stays up long enough to count as healthy. */
  fail_unless (WSA_TEST_WAIT_UNTIL
      (wsa_supervisor_get_consecutive_failures (sup) == 0, 5000));
  fail_unless_equals_int (wsa_supervisor_get_state (sup), WSA_STATE_PLAYING);
  wsa_supervisor_stop (sup, "test over");
  fail_unless_equals_int (wsa_supervisor_get_state (sup), WSA_STATE_STOPPED);
  fail_unless_equals_int (GST_STATE (wsa_supervisor_get_pipeline (sup)),
      GST_STATE_NULL);
}

GST_END_TEST;

GST_START_TEST (test_reports)
{
  g_autoptr (WsaSupervisor) good = launcher_test_supervisor ("good",
      "[pipeline]\nlaunch = audiotestsrc is-live=true ! fakesink\n", NULL);
  g_autoptr (WsaSupervisor) bad = launcher_test_supervisor ("bad", FLAKY
      "restart = never\n", NULL);
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  g_autofree gchar *health_ok = NULL;
  g_autofree gchar *health = NULL;
  g_autofree gchar *metrics = NULL;
  gboolean healthy;

  g_ptr_array_add (all, good);
  g_ptr_array_add (all, bad);
  wsa_supervisor_start (good);
  wsa_supervisor_start (bad);
  fail_unless (WAIT_STATE (good, WSA_STATE_PLAYING, 5000));
  fail_unless (WAIT_STATE (bad, WSA_STATE_PLAYING, 5000));
  health_ok = wsa_report_health (all, NULL, &healthy);
  fail_unless (healthy);
  fail_unless (g_str_has_prefix (health_ok, "{\"status\":\"ok\","));

  launcher_test_post_error (bad, "src");
  fail_unless (WAIT_STATE (bad, WSA_STATE_FAILED, 5000));
  health = wsa_report_health (all, NULL, &healthy);
  metrics = wsa_report_metrics (all, NULL);
  fail_if (healthy);
  fail_unless (strstr (health, "{\"status\":\"failing\",\"pipelines\":["
          "{\"name\":\"good\",\"file\":\"") != NULL, "%s", health);
  fail_unless (strstr (health, "\"state\":\"playing\",\"restarts\":0,"
          "\"clients\":null,\"reason\":\"started\"}") != NULL, "%s", health);
  fail_unless (strstr (health, "{\"name\":\"bad\",") != NULL, "%s", health);
  fail_unless (strstr (health, "\"state\":\"failed\",\"restarts\":0,"
          "\"clients\":null,\"reason\":\"error from src: injected failure\"}")
      != NULL, "%s", health);
  fail_unless (strstr (metrics, "# TYPE wsaudio_pipeline_state gauge\n"));
  fail_unless (strstr (metrics,
          "wsaudio_pipeline_state{pipeline=\"good\",state=\"playing\"} 1\n"));
  fail_unless (strstr (metrics,
          "wsaudio_pipeline_state{pipeline=\"good\",state=\"failed\"} 0\n"));
  fail_unless (strstr (metrics,
          "wsaudio_pipeline_state{pipeline=\"bad\",state=\"failed\"} 1\n"));
  fail_unless (strstr (metrics,
          "wsaudio_pipeline_restarts_total{pipeline=\"bad\"} 0\n"));
  fail_unless (strstr (metrics,
          "# TYPE wsaudio_websocket_sent_bytes_total counter\n"));
  wsa_supervisor_stop (good, "test over");
}

GST_END_TEST;

static Suite *
supervisor_suite (void)
{
  Suite *s = suite_create ("supervisor");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, launcher_test_setup_tmpdir,
      launcher_test_teardown_tmpdir);
  tcase_add_test (tc, test_restart_backoff);
  tcase_add_test (tc, test_failure_isolated);
  tcase_add_test (tc, test_eos_policies);
  tcase_add_test (tc, test_never_restart);
  tcase_add_test (tc, test_start_failure_until_fixed);
  tcase_add_test (tc, test_stall_detected);
  tcase_add_test (tc, test_reports);
  return s;
}

GST_CHECK_MAIN (supervisor);

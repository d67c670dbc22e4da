/* wsaudio - tests: SIGTERM, SIGINT and SIGHUP on the real binary, also as
 * PID 1 of a PID namespace
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>

#include "launcher-process.h"
#include "launcher-test-util.h"

#define LIVE(spb) "[pipeline]\nlaunch = audiotestsrc is-live=true " \
  "samplesperbuffer=" spb " ! fakesink\n"
#define TIMEOUT 5000

static void
check_stops_on (gint signum)
{
  g_autofree gchar *a = launcher_test_write ("a.pipeline", LIVE ("441"));
  g_autofree gchar *b = launcher_test_write ("b.pipeline", LIVE ("441"));
  g_autoptr (LauncherProcess) proc = launcher_process_spawn ("run", a, b, NULL);
  gint64 sent_at;
  gint status = -1;

  launcher_process_expect_line (proc, "pipeline=a state=playing", 0, TIMEOUT);
  launcher_process_expect_line (proc, "pipeline=b state=playing", 0, TIMEOUT);
  sent_at = g_get_monotonic_time ();
  launcher_process_signal (proc, signum);
  fail_unless (launcher_process_wait_exit (proc, 2000, &status),
      "still running 2 s after the signal");
  fail_unless_equals_int (status, 0);
  fail_unless (g_get_monotonic_time () - sent_at < 2 * G_USEC_PER_SEC);
  launcher_process_expect_line (proc, "pipeline=a state=stopped restarts=0 "
      "reason=\"shutting down\"", 0, TIMEOUT);
  launcher_process_expect_line (proc, "pipeline=b state=stopped restarts=0 "
      "reason=\"shutting down\"", 0, TIMEOUT);
  launcher_process_expect_line (proc, "wsaudio: stopped", 0, TIMEOUT);
}

GST_START_TEST (test_sigterm)
{
  check_stops_on (SIGTERM);
}

GST_END_TEST;

GST_START_TEST (test_sigint)
{
  check_stops_on (SIGINT);
}

GST_END_TEST;

GST_START_TEST (test_sighup)
{
  g_autofree gchar *a = launcher_test_write ("a.pipeline", LIVE ("441"));
  g_autofree gchar *b = launcher_test_write ("b.pipeline", LIVE ("441"));
  g_autofree gchar *c = launcher_test_write ("c.pipeline", LIVE ("441"));
  g_autofree gchar *d = NULL;
  g_autoptr (LauncherProcess) proc =
      launcher_process_spawn ("run", launcher_test_tmpdir (), NULL);
  guint mark;
  gint status;

  launcher_process_expect_line (proc, "pipeline=a state=playing", 0, TIMEOUT);
  launcher_process_expect_line (proc, "pipeline=b state=playing", 0, TIMEOUT);
  launcher_process_expect_line (proc, "pipeline=c state=playing", 0, TIMEOUT);

  /* b changes, c goes away, d comes; a stays as it is. */
  fail_unless (g_file_set_contents (b, LIVE ("882"), -1, NULL));
  fail_unless (g_unlink (c) == 0);
  d = launcher_test_write ("d.pipeline", LIVE ("441"));
  mark = launcher_process_n_lines (proc);
  launcher_process_signal (proc, SIGHUP);
  launcher_process_expect_line (proc, "reloaded: 1 unchanged, 1 restarted, 1 started, "
      "1 stopped", mark, TIMEOUT);
  launcher_process_expect_line (proc, "pipeline=b state=stopped restarts=0 "
      "reason=\"file changed\"", mark, TIMEOUT);
  launcher_process_expect_line (proc, "pipeline=c state=stopped restarts=0 "
      "reason=\"file removed\"", mark, TIMEOUT);
  launcher_process_expect_line (proc, "pipeline=b state=playing", mark, TIMEOUT);
  launcher_process_expect_line (proc, "pipeline=d state=playing", mark, TIMEOUT);
  fail_unless_equals_int (launcher_process_count_lines (proc, "pipeline=a ",
          mark), 0);

  /* An invalid file is reported; its pipeline keeps running. */
  fail_unless (g_file_set_contents (b, LIVE ("882") "frob = 1\n", -1, NULL));
  mark = launcher_process_n_lines (proc);
  launcher_process_signal (proc, SIGHUP);
  launcher_process_expect_line (proc, "reloaded: 2 unchanged, 0 restarted, 0 started, "
      "0 stopped", mark, TIMEOUT);
  launcher_process_expect_line (proc, "b.pipeline:3: unknown key 'frob' (not reloaded)", mark, TIMEOUT);
  fail_unless_equals_int (launcher_process_count_lines (proc, "pipeline=",
          mark), 0);

  launcher_process_signal (proc, SIGTERM);
  fail_unless (launcher_process_wait_exit (proc, 2000, &status));
  fail_unless_equals_int (status, 0);
}

GST_END_TEST;

/* The pid of unshare's only child, wsaudio (pid 1 in its namespace). */
static gchar *
child_pid (LauncherProcess * proc)
{
  return launcher_children_of (launcher_process_pid (proc));
}

/* PID 1 has no default signal actions: only handled signals arrive. */
GST_START_TEST (test_sigterm_as_pid1)
{
  g_autofree gchar *a = launcher_test_write ("a.pipeline", LIVE ("441"));
  const gchar *argv[] = { "unshare", "--pid", "--fork", "--kill-child",
    launcher_binary (), "run", a, NULL
  };
  g_autoptr (LauncherProcess) proc = NULL;
  g_autofree gchar *pid = NULL;
  gint status = -1;

  if (!launcher_unshare_usable ()) {
    g_printerr ("SKIP: unshare --pid does not work here\n");
    return;
  }
  proc = launcher_process_spawnv (argv);
  launcher_process_expect_line (proc, "pipeline=a state=playing", 0, TIMEOUT);
  pid = child_pid (proc);
  fail_unless (pid != NULL && *pid != '\0');
  fail_unless (kill (atoi (pid), SIGTERM) == 0);
  fail_unless (launcher_process_wait_exit (proc, 2000, &status));
  fail_unless_equals_int (status, 0);
  launcher_process_expect_line (proc, "wsaudio: stopped", 0, TIMEOUT);
}

GST_END_TEST;

/* A state change that never returns (filesrc opening a FIFO nobody writes
 * to) blocks the main loop: the watchdog ends the process. */
GST_START_TEST (test_watchdog)
{
  g_autofree gchar *fifo = g_build_filename (launcher_test_tmpdir (), "fifo",
      NULL);
  g_autofree gchar *text = NULL;
  g_autofree gchar *file = NULL;
  g_autoptr (LauncherProcess) proc = NULL;
  gint status = -1;

  fail_unless (mkfifo (fifo, 0600) == 0);
  text = g_strdup_printf ("[pipeline]\nlaunch = filesrc location=%s ! "
      "fakesink\n", fifo);
  file = launcher_test_write ("blocked.pipeline", text);
  proc = launcher_process_spawn ("--watchdog", "1", "run", file, NULL);
  fail_unless (launcher_process_wait_exit (proc, 5000, &status),
      "the watchdog did not end the process");
  fail_unless_equals_int (status, 70);
  launcher_process_expect_line (proc, "wsaudio: the main loop has been stuck for ", 0, TIMEOUT);
}

GST_END_TEST;

static Suite *
signals_suite (void)
{
  Suite *s = suite_create ("signals");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, launcher_test_setup_tmpdir,
      launcher_test_teardown_tmpdir);
  tcase_add_test (tc, test_sigterm);
  tcase_add_test (tc, test_sigint);
  tcase_add_test (tc, test_sighup);
  tcase_add_test (tc, test_sigterm_as_pid1);
  tcase_add_test (tc, test_watchdog);
  return s;
}

GST_CHECK_MAIN (signals);

/* wsaudio - tests: the command line (check, print, usage, exit statuses)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gst/check/gstcheck.h>

#include "launcher-process.h"
#include "launcher-test-util.h"

#define GOOD "[pipeline]\nlaunch = audiotestsrc ! fakesink\n"

GST_START_TEST (test_version_and_usage)
{
  g_autofree gchar *out = NULL, *err = NULL;

  fail_unless_equals_int (launcher_run (&out, &err, "--version", NULL), 0);
  fail_unless (g_str_has_prefix (out, "wsaudio " VERSION " (GStreamer 1."),
      "%s", out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fail_unless_equals_int (launcher_run (&out, &err, NULL, NULL), 64);
  fail_unless (strstr (err, "missing COMMAND"), "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fail_unless_equals_int (launcher_run (&out, &err, "frobnicate", "x", NULL),
      64);
  fail_unless (strstr (err, "unknown COMMAND"), "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fail_unless_equals_int (launcher_run (&out, &err, "run", NULL), 64);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fail_unless_equals_int (launcher_run (&out, &err, "--no-such-option",
          "check", "x", NULL), 64);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fail_unless_equals_int (launcher_run (&out, &err, "--help", NULL), 0);
  fail_unless (strstr (out, "check PATH") && strstr (out, "--http"));
  fail_unless (strstr (out, "--help-gst"), "GStreamer options missing");
}

GST_END_TEST;

GST_START_TEST (test_check)
{
  g_autofree gchar *good = launcher_test_write ("good.pipeline", GOOD);
  g_autofree gchar *bad = launcher_test_write ("bad.pipeline",
      "[pipeline]\nlaunch = audiotestsrc ! nosuchelement ! fakesink\n"
      "restart = sometimes\n");
  g_autofree gchar *out = NULL, *err = NULL;
  g_autofree gchar *expected = NULL;

  fail_unless_equals_int (launcher_run (&out, &err, "check", good, NULL), 0);
  expected = g_strdup_printf ("OK: %s: pipeline 'good'\n", good);
  fail_unless_equals_string (out, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&expected, g_free);

  /* The directory holds both: one line per problem, exit 78. */
  fail_unless_equals_int (launcher_run (&out, &err, "check",
          launcher_test_tmpdir (), NULL), 78);
  expected = g_strdup_printf ("ERROR: %s:3: key 'restart': invalid value "
      "\"sometimes\" (expected always, on-failure or never)\n", bad);
  fail_unless_equals_string (err, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&expected, g_free);

  /* Once the values are right, the launch line is built and fails. */
  fail_unless (g_file_set_contents (bad, "[pipeline]\n"
          "launch = audiotestsrc ! nosuchelement ! fakesink\n", -1, NULL));
  fail_unless_equals_int (launcher_run (&out, &err, "check", bad, NULL), 78);
  expected = g_strdup_printf ("ERROR: %s:2: key 'launch': no element "
      "\"nosuchelement\"\n", bad);
  fail_unless_equals_string (err, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  fail_unless_equals_int (launcher_run (&out, &err, "check", good,
          "/nonexistent", NULL), 66);
  fail_unless_equals_string (err,
      "ERROR: /nonexistent: no such file or directory\n");
}

GST_END_TEST;

GST_START_TEST (test_print)
{
  g_autofree gchar *file = launcher_test_write ("ws.pipeline", "[pipeline]\n"
      "launch = audiotestsrc ! fakesink name=${WSA_TEST_SINK:-out} "
      "sync=${WSA_TEST_SYNC}\n");
  g_autofree gchar *out = NULL, *err = NULL;
  g_autofree gchar *expected = NULL;

  g_setenv ("WSA_TEST_SYNC", "false", TRUE);
  fail_unless_equals_int (launcher_run (&out, &err, "print", file, NULL), 0);
  fail_unless_equals_string (out,
      "audiotestsrc ! fakesink name=out sync=false\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_unsetenv ("WSA_TEST_SYNC");
  fail_unless_equals_int (launcher_run (&out, &err, "print", file, NULL), 78);
  expected = g_strdup_printf ("ERROR: %s:2: key 'launch': environment "
      "variable WSA_TEST_SYNC is not set and has no default "
      "(write ${WSA_TEST_SYNC:-default})\n", file);
  fail_unless_equals_string (err, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fail_unless_equals_int (launcher_run (&out, &err, "print", file, file,
          NULL), 64);
}

GST_END_TEST;

GST_START_TEST (test_run_invalid)
{
  g_autofree gchar *bad = launcher_test_write ("bad.pipeline",
      "[pipeline]\nlaunch = audiotestsrc ! fakesink\nfrob = 1\n");
  g_autofree gchar *good = launcher_test_write ("good.pipeline", GOOD);
  g_autofree gchar *out = NULL, *err = NULL;
  g_autofree gchar *expected = NULL;

  /* Nothing starts when a file is invalid. */
  fail_unless_equals_int (launcher_run (&out, &err, "run", good, bad, NULL),
      78);
  expected = g_strdup_printf ("ERROR: %s:3: unknown key 'frob'\n", bad);
  fail_unless_equals_string (err, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fail_unless_equals_int (launcher_run (&out, &err, "--http", "nowhere",
          "run", good, NULL), 64);
}

GST_END_TEST;

/* The process ends by itself when every pipeline has ended for good. */
GST_START_TEST (test_run_until_done)
{
  g_autofree gchar *once = launcher_test_write ("once.pipeline",
      "[pipeline]\nlaunch = audiotestsrc num-buffers=5 ! fakesink\n"
      "restart = on-failure\n");
  g_autofree gchar *broken = launcher_test_write ("broken.pipeline",
      "[pipeline]\nlaunch = filesrc location=/nonexistent ! fakesink\n"
      "restart = never\n");
  g_autofree gchar *out = NULL, *err = NULL;

  fail_unless_equals_int (launcher_run (&out, &err, "run", once, NULL), 0);
  fail_unless (strstr (err, "pipeline=once state=finished restarts=0 "
          "reason=\"end of stream\""), "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fail_unless_equals_int (launcher_run (&out, &err, "run", once, broken,
          NULL), 70);
  fail_unless (strstr (err, "ERROR: from element /GstPipeline:broken/"
          "GstFileSrc:filesrc0: Resource not found.\n"
          "Additional debug info:\n"), "%s", err);
  fail_unless (strstr (err, "pipeline=broken state=failed restarts=0 "
          "reason=\"error from filesrc0: Resource not found.\""), "%s", err);
}

GST_END_TEST;

static Suite *
cli_suite (void)
{
  Suite *s = suite_create ("cli");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, launcher_test_setup_tmpdir,
      launcher_test_teardown_tmpdir);
  tcase_add_test (tc, test_version_and_usage);
  tcase_add_test (tc, test_check);
  tcase_add_test (tc, test_print);
  tcase_add_test (tc, test_run_invalid);
  tcase_add_test (tc, test_run_until_done);
  return s;
}

GST_CHECK_MAIN (cli);

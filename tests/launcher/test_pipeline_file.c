/* wsaudio - tests: pipeline files, ${VAR} expansion, durations, backoff
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>

#include "backoff.h"
#include "config-set.h"
#include "duration.h"
#include "env-expand.h"
#include "launcher-test-util.h"
#include "pipeline-file.h"

/* Loads @text as test.pipeline; returns the config or NULL and the error. */
static WsaPipelineConfig *
load_text (const gchar * text, const gchar * const *envp, GError ** error)
{
  g_autofree gchar *path = launcher_test_write ("test.pipeline", text);

  return wsa_pipeline_config_load (path, envp, error);
}

/* Asserts that loading @text fails with a message holding every string of
 * the NULL-terminated list. */
static void
assert_load_error (const gchar * text, ...)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaPipelineConfig) config = load_text (text, NULL, &error);
  const gchar *needle;
  va_list args;

  fail_unless (config == NULL, "loaded an invalid file:\n%s", text);
  fail_unless (g_error_matches (error, WSA_CONFIG_ERROR,
          WSA_CONFIG_ERROR_INVALID));
  va_start (args, text);
  while ((needle = va_arg (args, const gchar *))) {
    fail_unless (strstr (error->message, needle) != NULL,
        "\"%s\" not in \"%s\"", needle, error->message);
  }
  va_end (args);
}

GST_START_TEST (test_valid_full)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaPipelineConfig) config = load_text ("# comment\n"
      "[pipeline]\n"
      "name = speaker\n"
      "description = Desktop audio to browsers\n"
      "launch = audiotestsrc ! fakesink name=out\n"
      "restart = on-failure\n"
      "restart-delay = 500ms\n"
      "restart-max-delay = 1m\n"
      "on-demand = out\n"
      "idle-timeout = 2.5\n" "stall-timeout = 3s\n", NULL, &error);

  fail_unless (config != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (config->name, "speaker");
  fail_unless_equals_string (config->description, "Desktop audio to browsers");
  fail_unless_equals_string (config->launch,
      "audiotestsrc ! fakesink name=out");
  fail_unless_equals_int (config->restart, WSA_RESTART_ON_FAILURE);
  fail_unless_equals_int (config->restart_delay_ms, 500);
  fail_unless_equals_int (config->restart_max_delay_ms, 60000);
  fail_unless_equals_string (config->on_demand, "out");
  fail_unless_equals_int (config->idle_timeout_ms, 2500);
  fail_unless_equals_int (config->stall_timeout_ms, 3000);
  fail_unless_equals_int (config->launch_line, 5);
  fail_unless_equals_int (config->on_demand_line, 9);
}

GST_END_TEST;

GST_START_TEST (test_valid_defaults)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = launcher_test_write ("mic-in.pipeline",
      "[pipeline]\nlaunch=fakesrc ! fakesink\n");
  g_autoptr (WsaPipelineConfig) config =
      wsa_pipeline_config_load (path, NULL, &error);

  fail_unless (config != NULL);
  fail_unless_equals_string (config->name, "mic-in");
  fail_unless (config->description == NULL);
  fail_unless_equals_int (config->restart, WSA_RESTART_ALWAYS);
  fail_unless_equals_int (config->restart_delay_ms, 250);
  fail_unless_equals_int (config->restart_max_delay_ms, 2000);
  fail_unless (config->on_demand == NULL);
  fail_unless_equals_int (config->idle_timeout_ms, 10000);
  fail_unless_equals_int (config->stall_timeout_ms, 0);
}

GST_END_TEST;

GST_START_TEST (test_env_expansion)
{
  const gchar *envp[] = { "PORT=29788", "EMPTY=", "HOST=10.0.0.1", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaPipelineConfig) config = load_text ("[pipeline]\n"
      "name = ${NAME:-speaker}\n"
      "launch = fakesrc ! websocketsink host=${HOST} port=${PORT} "
      "x=${EMPTY:-dflt} y=${UNSET:-${PORT:-0}} z=$$HOME w=$5\n"
      "idle-timeout = ${IDLE:-750ms}\n", envp, &error);

  fail_unless (config != NULL, "%s", error ? error->message : "");
  fail_unless_equals_string (config->name, "speaker");
  fail_unless_equals_string (config->launch,
      "fakesrc ! websocketsink host=10.0.0.1 port=29788 x=dflt y=29788 "
      "z=$HOME w=$5");
  fail_unless_equals_int (config->idle_timeout_ms, 750);
}

GST_END_TEST;

GST_START_TEST (test_env_unset)
{
  const gchar *envp[] = { "PORT=1", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaPipelineConfig) config = load_text ("[pipeline]\n"
      "\n" "launch = fakesrc ! fakesink name=${SINK_NAME}\n", envp, &error);

  fail_unless (config == NULL);
  fail_unless (strstr (error->message, "test.pipeline:3: key 'launch': "
          "environment variable SINK_NAME is not set") != NULL, "%s",
      error->message);
}

GST_END_TEST;

GST_START_TEST (test_env_expand_direct)
{
  const gchar *envp[] = { "A=1", "E=", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *set_empty = wsa_env_expand ("[${E}]", envp, NULL);
  g_autofree gchar *bad = wsa_env_expand ("${1A}", envp, &error);
  g_autofree gchar *open = NULL;

  fail_unless_equals_string (set_empty, "[]");
  fail_unless (bad == NULL);
  g_clear_error (&error);
  open = wsa_env_expand ("x ${A", envp, &error);
  fail_unless (open == NULL);
  fail_unless (strstr (error->message, "unterminated") != NULL);
}

GST_END_TEST;

GST_START_TEST (test_invalid_files)
{
  assert_load_error ("[pipeline]\nlaunch=a ! b\nbitrate = 128\n",
      "test.pipeline:3: unknown key 'bitrate'", NULL);
  assert_load_error ("[pipeline]\nlaunch=a ! b\n\n[extra]\nx=1\n",
      "test.pipeline:4: unknown group [extra]", NULL);
  assert_load_error ("[pipeline]\nlaunch=a ! b\nrestart = sometimes\n",
      "test.pipeline:3: key 'restart': invalid value \"sometimes\"", NULL);
  assert_load_error ("[pipeline]\nlaunch=a ! b\nidle-timeout = soon\n",
      "test.pipeline:3: key 'idle-timeout': invalid duration \"soon\"", NULL);
  assert_load_error ("[pipeline]\nlaunch=a ! b\nstall-timeout = -1s\n",
      "test.pipeline:3: key 'stall-timeout': invalid duration", NULL);
  assert_load_error ("[pipeline]\nlaunch=a ! b\nrestart-delay=5s\n"
      "restart-max-delay=1s\n", "test.pipeline:4: key 'restart-max-delay': "
      "must not be shorter than restart-delay", NULL);
  assert_load_error ("[pipeline]\nname = speaker\n",
      "test.pipeline:1: missing key 'launch'", NULL);
  assert_load_error ("[pipeline]\nlaunch = \n", "test.pipeline:2: key "
      "'launch': the pipeline is empty", NULL);
  assert_load_error ("launch = a ! b\n", "test.pipeline:1: ", NULL);
  assert_load_error ("# nothing\n", "test.pipeline: no [pipeline] group", NULL);
  assert_load_error ("[pipeline]\nlaunch=a ! b\nthis is not a key\n",
      "test.pipeline:3: ", "this is not a key", NULL);
  assert_load_error ("[pipeline]\nlaunch=a ! b\nname=x\nname=y\n",
      "test.pipeline:4: key 'name' appears twice", NULL);
  assert_load_error ("[pipeline]\nlaunch=a ! b\nname=my pipeline\n",
      "test.pipeline:3: key 'name': a name may only hold", NULL);
  /* Both escape faults at once made GLib set its error twice (a warning,
   * fatal in the fuzzer): checked before GLib reads the value. */
  assert_load_error ("[pipeline]\nlaunch = \\q ${ x = \\\n",
      "test.pipeline:2: key 'launch': invalid escape sequence \"\\q\"", NULL);
  assert_load_error ("[pipeline]\nlaunch = a ! b \\\n",
      "test.pipeline:2: key 'launch': the value ends with an escape", NULL);
  assert_load_error ("[pipeline]\nlaunch=a ! b\nfrob=1\nrestart=x\n",
      "test.pipeline:3: unknown key 'frob'\n", "test.pipeline:4: key "
      "'restart'", NULL);
}

GST_END_TEST;

GST_START_TEST (test_missing_file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaPipelineConfig) config =
      wsa_pipeline_config_load ("/nonexistent/x.pipeline", NULL, &error);

  fail_unless (config == NULL);
  fail_unless (g_error_matches (error, WSA_CONFIG_ERROR,
          WSA_CONFIG_ERROR_NOT_FOUND));
  fail_unless (strstr (error->message, "/nonexistent/x.pipeline") != NULL);
}

GST_END_TEST;

static gchar *
instantiate_error (const gchar * text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaPipelineConfig) config = load_text (text, NULL, &error);
  g_autoptr (GstElement) pipeline = NULL;

  fail_unless (config != NULL, "%s", error ? error->message : "");
  pipeline = wsa_pipeline_config_instantiate (config, &error);
  fail_unless (pipeline == NULL);
  return g_strdup (error->message);
}

GST_START_TEST (test_instantiate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaPipelineConfig) config = load_text ("[pipeline]\n"
      "name = tone\nlaunch = audiotestsrc ! fakesink\n", NULL, &error);
  g_autoptr (GstElement) pipeline =
      wsa_pipeline_config_instantiate (config, &error);
  g_autofree gchar *bad_launch = instantiate_error ("[pipeline]\n"
      "# x\nlaunch = audiotestsrc ! nosuchelement ! fakesink\n");
  g_autofree gchar *no_sink = instantiate_error ("[pipeline]\n"
      "launch = audiotestsrc ! fakesink\non-demand = ws\n");
  g_autofree gchar *not_ws = instantiate_error ("[pipeline]\n"
      "launch = audiotestsrc ! fakesink name=ws\n\non-demand = ws\n");

  fail_unless (GST_IS_PIPELINE (pipeline));
  fail_unless_equals_string (GST_OBJECT_NAME (pipeline), "tone");
  fail_unless (strstr (bad_launch, "test.pipeline:3: key 'launch': ")
      && strstr (bad_launch, "nosuchelement"), "%s", bad_launch);
  fail_unless (strstr (no_sink, "test.pipeline:3: key 'on-demand': no "
          "element named 'ws'"), "%s", no_sink);
  fail_unless (strstr (not_ws, "test.pipeline:4: key 'on-demand': element "
          "'ws' is a GstFakeSink, not a websocketsink"), "%s", not_ws);
}

GST_END_TEST;

GST_START_TEST (test_config_set)
{
  g_autofree gchar *b = launcher_test_write ("b.pipeline",
      "[pipeline]\nname=one\nlaunch=fakesrc ! fakesink\n");
  g_autofree gchar *a = launcher_test_write ("a.pipeline",
      "[pipeline]\nlaunch=fakesrc ! fakesink\n");
  g_autofree gchar *c = launcher_test_write ("c.pipeline",
      "[pipeline]\nname=one\nlaunch=fakesrc ! fakesink\n");
  g_autofree gchar *ignored = launcher_test_write ("notes.txt", "notes");
  const gchar *paths[] = { launcher_test_tmpdir (), "/nonexistent.pipeline",
    NULL
  };
  g_autoptr (WsaConfigSet) set = wsa_config_set_load (paths, NULL, TRUE);

  fail_unless_equals_int (set->configs->len, 2);
  fail_unless_equals_string (((WsaPipelineConfig *) set->configs->pdata[0])->
      name, "a");
  fail_unless_equals_string (((WsaPipelineConfig *) set->configs->pdata[1])->
      name, "one");
  fail_unless_equals_int (set->problems->len, 2);
  fail_unless_equals_string (set->problems->pdata[0],
      "/nonexistent.pipeline: no such file or directory");
  fail_unless (strstr (set->problems->pdata[1], "c.pipeline: pipeline name "
          "'one' is already used by"), "%s", (gchar *) set->problems->pdata[1]);
  fail_unless (set->missing_input);
  fail_unless_equals_int (set->invalid_paths->len, 1);
  fail_unless_equals_string (set->invalid_paths->pdata[0], c);
}

GST_END_TEST;

GST_START_TEST (test_config_equal)
{
  g_autoptr (WsaPipelineConfig) a =
      load_text ("[pipeline]\nlaunch=fakesrc ! fakesink\n", NULL, NULL);
  g_autoptr (WsaPipelineConfig) b =
      load_text ("# same\n[pipeline]\nlaunch = fakesrc ! fakesink\n", NULL,
      NULL);
  g_autoptr (WsaPipelineConfig) c =
      load_text ("[pipeline]\nlaunch=fakesrc ! fakesink\nidle-timeout=1\n",
      NULL, NULL);

  fail_unless (wsa_pipeline_config_equal (a, b));
  fail_if (wsa_pipeline_config_equal (a, c));
}

GST_END_TEST;

GST_START_TEST (test_durations)
{
  guint ms = 0;
  g_autofree gchar *f1 = wsa_duration_format (250);
  g_autofree gchar *f2 = wsa_duration_format (2000);
  g_autofree gchar *f3 = wsa_duration_format (1500);

  fail_unless (wsa_duration_parse ("500ms", &ms) && ms == 500);
  fail_unless (wsa_duration_parse (" 2 ", &ms) && ms == 2000);
  fail_unless (wsa_duration_parse ("0.25s", &ms) && ms == 250);
  fail_unless (wsa_duration_parse ("1.5m", &ms) && ms == 90000);
  fail_unless (wsa_duration_parse ("0", &ms) && ms == 0);
  fail_if (wsa_duration_parse ("", &ms));
  fail_if (wsa_duration_parse ("2h", &ms));
  fail_if (wsa_duration_parse ("-1", &ms));
  fail_if (wsa_duration_parse ("1e9", &ms));
  fail_if (wsa_duration_parse ("nan", &ms));
  fail_unless_equals_string (f1, "250ms");
  fail_unless_equals_string (f2, "2s");
  fail_unless_equals_string (f3, "1.500s");
}

GST_END_TEST;

GST_START_TEST (test_backoff)
{
  fail_unless_equals_int (wsa_backoff_delay (250, 2000, 1), 250);
  fail_unless_equals_int (wsa_backoff_delay (250, 2000, 2), 500);
  fail_unless_equals_int (wsa_backoff_delay (250, 2000, 3), 1000);
  fail_unless_equals_int (wsa_backoff_delay (250, 2000, 4), 2000);
  fail_unless_equals_int (wsa_backoff_delay (250, 2000, 40), 2000);
  fail_unless_equals_int (wsa_backoff_delay (300, 1000, 3), 1000);
  fail_unless_equals_int (wsa_backoff_delay (0, 1000, 5), 0);
}

GST_END_TEST;

static Suite *
pipeline_file_suite (void)
{
  Suite *s = suite_create ("pipeline-file");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, launcher_test_setup_tmpdir,
      launcher_test_teardown_tmpdir);
  tcase_add_test (tc, test_valid_full);
  tcase_add_test (tc, test_valid_defaults);
  tcase_add_test (tc, test_env_expansion);
  tcase_add_test (tc, test_env_unset);
  tcase_add_test (tc, test_env_expand_direct);
  tcase_add_test (tc, test_invalid_files);
  tcase_add_test (tc, test_missing_file);
  tcase_add_test (tc, test_instantiate);
  tcase_add_test (tc, test_config_set);
  tcase_add_test (tc, test_config_equal);
  tcase_add_test (tc, test_durations);
  tcase_add_test (tc, test_backoff);
  return s;
}

GST_CHECK_MAIN (pipeline_file);

/* wsaudio - launcher tests: shared helpers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "launcher-test-util.h"

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

static gchar *tmpdir;

void
launcher_test_setup_tmpdir (void)
{
  tmpdir = g_dir_make_tmp ("wsaudio-test-XXXXXX", NULL);
  fail_unless (tmpdir != NULL);
}

void
launcher_test_teardown_tmpdir (void)
{
  g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree gchar *path = g_build_filename (tmpdir, name, NULL);

    g_unlink (path);
  }
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

const gchar *
launcher_test_tmpdir (void)
{
  return tmpdir;
}

gchar *
launcher_test_write (const gchar * name, const gchar * text)
{
  gchar *path = g_build_filename (tmpdir, name, NULL);

  fail_unless (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
record (WsaSupervisor * sup, gpointer user_data)
{
  StateRecorder *recorder = user_data;
  WsaState state = wsa_supervisor_get_state (sup);
  guint delay = wsa_supervisor_get_restart_delay (sup);

  recorder->notifications++;
  if (recorder->states->len > 0 && state == recorder->last)
    return;
  recorder->last = state;
  g_array_append_val (recorder->states, state);
  if (state == WSA_STATE_RESTARTING)
    g_array_append_val (recorder->delays, delay);
}

WsaSupervisor *
launcher_test_supervisor (const gchar * name, const gchar * text,
    StateRecorder * recorder)
{
  g_autofree gchar *file = g_strdup_printf ("%s.pipeline", name);
  g_autofree gchar *path = launcher_test_write (file, text);
  g_autoptr (GError) error = NULL;
  WsaPipelineConfig *config = wsa_pipeline_config_load (path, NULL, &error);
  WsaSupervisor *sup;

  fail_unless (config != NULL, "%s", error ? error->message : "");
  sup = wsa_supervisor_new (config, &error);
  fail_unless (sup != NULL, "%s", error ? error->message : "");
  if (recorder) {
    recorder->states = g_array_new (FALSE, FALSE, sizeof (WsaState));
    recorder->delays = g_array_new (FALSE, FALSE, sizeof (guint));
    wsa_supervisor_set_callback (sup, record, recorder);
  }
  return sup;
}

void
state_recorder_clear (StateRecorder * recorder)
{
  g_clear_pointer (&recorder->states, g_array_unref);
  g_clear_pointer (&recorder->delays, g_array_unref);
}

guint
state_recorder_count (StateRecorder * recorder, WsaState state)
{
  guint i, n = 0;

  for (i = 0; i < recorder->states->len; i++)
    n += g_array_index (recorder->states, WsaState, i) == state;
  return n;
}

GstElement *
launcher_test_get (WsaSupervisor * sup, const gchar * name)
{
  GstElement *element =
      gst_bin_get_by_name (GST_BIN (wsa_supervisor_get_pipeline (sup)), name);

  fail_unless (element != NULL, "no element %s", name);
  return element;
}

void
launcher_test_post_error (WsaSupervisor * sup, const gchar * name)
{
  g_autoptr (GstElement) element = launcher_test_get (sup, name);
  g_autoptr (GError) error = g_error_new_literal (GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_READ, "injected failure");

  gst_element_post_message (element,
      gst_message_new_error (GST_OBJECT (element), error, "posted by a test"));
}

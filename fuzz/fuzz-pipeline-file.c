/* wsaudio — fuzz targets
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* The launcher's pipeline and process files: the key-file loader with its
 * line finder (keyfile-loader.c, keyfile-lines.c), ${VAR} expansion
 * (env-expand.c) and the checks of every value (pipeline-file.c,
 * process-file.c). Nothing is instantiated: gst_parse_launch() is
 * GStreamer's.
 *
 * Input: the environment, "NAME=value" lines, then a NUL byte, then the
 * file (without a NUL byte the whole input is the file and the
 * environment is empty). The text is loaded both as NAME.pipeline and as
 * NAME.process, and expanded as one value. Checks, besides memory safety:
 * a load fails with a message naming the file, or succeeds with the
 * required values. */
#include <string.h>
#include <glib/gstdio.h>

#include "env-expand.h"
#include "keyfile-loader.h"
#include "pipeline-file.h"
#include "process-file.h"
#include "fuzz-common.h"

static gchar *pipeline_path, *process_path;

/* Problems are reported as "FILE:LINE: message" or "FILE: message". */
static void
check_error (const gchar * path, GError * error)
{
  g_assert (error != NULL && error->message != NULL);
  if (!g_str_has_prefix (error->message, path))
    g_error ("the error does not name the file: %s", error->message);
}

/* Whether GLib cannot read a value of [@group] (e.g. an invalid escape):
 * that is a problem the load must report. */
static gboolean
has_unreadable_value (const gchar * text, gsize len, const gchar * group)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_auto (GStrv) keys = NULL;
  guint i;

  if (!g_key_file_load_from_data (keyfile, text, len, G_KEY_FILE_NONE, NULL))
    return FALSE;
  keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  for (i = 0; keys != NULL && keys[i] != NULL; i++) {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *raw = g_key_file_get_value (keyfile, group, keys[i],
        NULL);
    g_autofree gchar *bad = raw ? wsa_keyfile_bad_escape (raw) : NULL;

    /* Checked first: GLib would set its GError twice (a warning). */
    if (bad != NULL)
      return TRUE;
    g_free (g_key_file_get_string (keyfile, group, keys[i], &error));
    if (error != NULL)
      return TRUE;
  }
  return FALSE;
}

static void
load (const gchar * text, gsize len, const gchar * const *envp)
{
  g_autoptr (GError) error = NULL;
  WsaPipelineConfig *pipeline;
  WsaProcessConfig *process;

  g_assert (g_file_set_contents (pipeline_path, text, len, NULL));
  pipeline = wsa_pipeline_config_load (pipeline_path, envp, &error);
  if (pipeline == NULL) {
    check_error (pipeline_path, error);
    g_clear_error (&error);
  } else {
    g_assert (!has_unreadable_value (text, len, "pipeline"));
    g_assert (pipeline->launch != NULL && pipeline->name != NULL);
    g_assert (wsa_pipeline_config_equal (pipeline, pipeline));
    wsa_pipeline_config_free (pipeline);
  }

  g_assert (g_file_set_contents (process_path, text, len, NULL));
  process = wsa_process_config_load (process_path, envp, &error);
  if (process == NULL) {
    check_error (process_path, error);
    g_clear_error (&error);
  } else {
    g_autofree gchar *line = wsa_process_config_command_line (process);

    g_assert (line != NULL);
    g_assert (!has_unreadable_value (text, len, "process"));
    g_assert (process->argv != NULL && process->argv[0] != NULL);
    g_assert (wsa_process_config_equal (process, process));
    wsa_process_config_free (process);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  const gchar *nul = memchr (data, '\0', size);
  g_autofree gchar *env_text = NULL, *text = NULL, *expanded = NULL;
  g_auto (GStrv) envp = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;

  if (nul != NULL) {
    env_text = g_strndup ((const gchar *) data, nul - (const gchar *) data);
    len = size - (nul + 1 - (const gchar *) data);
    text = g_strndup (nul + 1, len);
  } else {
    env_text = g_strdup ("");
    len = size;
    text = g_strndup ((const gchar *) data, size);
  }
  envp = g_strsplit (env_text, "\n", -1);
  load (text, len, (const gchar * const *) envp);
  if (g_utf8_validate (text, -1, NULL)) {
    expanded = wsa_env_expand (text, (const gchar * const *) envp, &error);
    g_assert ((expanded == NULL) == (error != NULL));
  }
  return 0;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const gchar *dir = fuzz_init ();

  pipeline_path = g_build_filename (dir, "fuzz.pipeline", NULL);
  process_path = g_build_filename (dir, "fuzz.process", NULL);
  return 0;
}

/* wsaudio - the pipeline and process files named on the command line
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each PATH is a file or a directory whose *.pipeline and *.process files
 * (not recursively, in name order) are used.  A file named *.process is a
 * process file, any other a pipeline file.  Every file is loaded; with
 * @instantiate, each valid pipeline is also built once and thrown away,
 * which is what `wsaudio check` means by "valid".  Names must be unique
 * among the pipelines and among the processes.
 */
#include "config-set.h"

#include <string.h>

static void
set_problem (WsaConfigSet * set, gchar * line)
{
  g_ptr_array_add (set->problems, line);
}

/* One problem per line of @message. */
static void
add_problems (WsaConfigSet * set, const gchar * message)
{
  g_auto (GStrv) lines = g_strsplit (message, "\n", -1);
  guint i;

  for (i = 0; lines[i]; i++)
    set_problem (set, g_steal_pointer (&lines[i]));
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

static void
scan_directory (WsaConfigSet * set, const gchar * dir, GPtrArray * files)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (d == NULL) {
    set_problem (set, g_strdup_printf ("%s: %s", dir, error->message));
    set->missing_input = TRUE;
    return;
  }
  while ((name = g_dir_read_name (d)))
    if ((g_str_has_suffix (name, ".pipeline")
            || wsa_is_process_file (name)) && name[0] != '.')
      g_ptr_array_add (found, g_build_filename (dir, name, NULL));
  if (found->len == 0) {
    set_problem (set, g_strdup_printf ("%s: no *.pipeline or *.process files",
            dir));
    set->missing_input = TRUE;
  }
  g_ptr_array_sort (found, compare_strings);
  g_ptr_array_extend_and_steal (files, g_steal_pointer (&found));
}

static GPtrArray *
scan_paths (WsaConfigSet * set, const gchar * const *paths)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  for (; *paths; paths++) {
    if (g_file_test (*paths, G_FILE_TEST_IS_DIR))
      scan_directory (set, *paths, files);
    else if (g_file_test (*paths, G_FILE_TEST_EXISTS))
      g_ptr_array_add (files, g_strdup (*paths));
    else {
      set_problem (set, g_strdup_printf ("%s: no such file or directory",
              *paths));
      set->missing_input = TRUE;
    }
  }
  return files;
}

static gboolean
check_instantiate (WsaPipelineConfig * config, GError ** error)
{
  g_autoptr (GstElement) pipeline =
      wsa_pipeline_config_instantiate (config, error);

  return pipeline != NULL;
}

static const WsaPipelineConfig *
find_name (WsaConfigSet * set, const gchar * name)
{
  guint i;

  for (i = 0; i < set->configs->len; i++) {
    const WsaPipelineConfig *c = g_ptr_array_index (set->configs, i);

    if (g_str_equal (c->name, name))
      return c;
  }
  return NULL;
}

static const WsaProcessConfig *
find_process_name (WsaConfigSet * set, const gchar * name)
{
  guint i;

  for (i = 0; i < set->processes->len; i++) {
    const WsaProcessConfig *c = g_ptr_array_index (set->processes, i);

    if (g_str_equal (c->name, name))
      return c;
  }
  return NULL;
}

static void
add_invalid (WsaConfigSet * set, const gchar * path, GError * error)
{
  if (g_error_matches (error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_NOT_FOUND))
    set->missing_input = TRUE;
  add_problems (set, error->message);
  g_ptr_array_add (set->invalid_paths, g_strdup (path));
}

static void
load_pipeline_file (WsaConfigSet * set, const gchar * path,
    const gchar * const *envp, gboolean instantiate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaPipelineConfig) config = NULL;
  const WsaPipelineConfig *other;

  config = wsa_pipeline_config_load (path, envp, &error);
  if (config && instantiate)
    check_instantiate (config, &error);
  if (config && !error && (other = find_name (set, config->name)))
    g_set_error (&error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_INVALID,
        "%s: pipeline name '%s' is already used by %s", path, config->name,
        other->path);
  if (error) {
    add_invalid (set, path, error);
    return;
  }
  g_ptr_array_add (set->configs, g_steal_pointer (&config));
}

static void
load_process_file (WsaConfigSet * set, const gchar * path,
    const gchar * const *envp)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaProcessConfig) config = NULL;
  const WsaProcessConfig *other;

  config = wsa_process_config_load (path, envp, &error);
  if (config && (other = find_process_name (set, config->name)))
    g_set_error (&error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_INVALID,
        "%s: process name '%s' is already used by %s", path, config->name,
        other->path);
  if (error) {
    add_invalid (set, path, error);
    return;
  }
  g_ptr_array_add (set->processes, g_steal_pointer (&config));
}

WsaConfigSet *
wsa_config_set_load (const gchar * const *paths, const gchar * const *envp,
    gboolean instantiate)
{
  WsaConfigSet *set = g_new0 (WsaConfigSet, 1);
  g_autoptr (GPtrArray) files = NULL;
  guint i;

  set->configs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      wsa_pipeline_config_free);
  set->processes = g_ptr_array_new_with_free_func ((GDestroyNotify)
      wsa_process_config_free);
  set->invalid_paths = g_ptr_array_new_with_free_func (g_free);
  set->problems = g_ptr_array_new_with_free_func (g_free);
  files = scan_paths (set, paths);
  for (i = 0; i < files->len; i++) {
    const gchar *path = g_ptr_array_index (files, i);

    if (wsa_is_process_file (path))
      load_process_file (set, path, envp);
    else
      load_pipeline_file (set, path, envp, instantiate);
  }
  return set;
}

/* Whether @path was read, valid or not. */
gboolean
wsa_config_set_has_path (WsaConfigSet * set, const gchar * path)
{
  guint i;

  for (i = 0; i < set->configs->len; i++)
    if (g_str_equal (((WsaPipelineConfig *) g_ptr_array_index (set->configs,
                    i))->path, path))
      return TRUE;
  for (i = 0; i < set->processes->len; i++)
    if (g_str_equal (((WsaProcessConfig *) g_ptr_array_index (set->processes,
                    i))->path, path))
      return TRUE;
  return g_ptr_array_find_with_equal_func (set->invalid_paths, path,
      g_str_equal, NULL);
}

void
wsa_config_set_free (WsaConfigSet * set)
{
  g_ptr_array_unref (set->configs);
  g_ptr_array_unref (set->processes);
  g_ptr_array_unref (set->invalid_paths);
  g_ptr_array_unref (set->problems);
  g_free (set);
}

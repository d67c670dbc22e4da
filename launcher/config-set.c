/* wsaudio - the pipeline files named on the command line
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each PATH is a pipeline file or a directory whose *.pipeline files (not
 * recursively, in name order) are used.  Every file is loaded; with
 * @instantiate, each valid file's pipeline is also built once and thrown away,
 * which is what `wsaudio check` means by "valid".  Names must be unique
 * across all files.
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
    if (g_str_has_suffix (name, ".pipeline") && name[0] != '.')
      g_ptr_array_add (found, g_build_filename (dir, name, NULL));
  if (found->len == 0) {
    set_problem (set, g_strdup_printf ("%s: no *.pipeline files", dir));
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

static void
load_file (WsaConfigSet * set, const gchar * path, const gchar * const *envp,
    gboolean instantiate)
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
    if (g_error_matches (error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_NOT_FOUND))
      set->missing_input = TRUE;
    add_problems (set, error->message);
    g_ptr_array_add (set->invalid_paths, g_strdup (path));
    return;
  }
  g_ptr_array_add (set->configs, g_steal_pointer (&config));
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
  set->invalid_paths = g_ptr_array_new_with_free_func (g_free);
  set->problems = g_ptr_array_new_with_free_func (g_free);
  files = scan_paths (set, paths);
  for (i = 0; i < files->len; i++)
    load_file (set, g_ptr_array_index (files, i), envp, instantiate);
  return set;
}

void
wsa_config_set_free (WsaConfigSet * set)
{
  g_ptr_array_unref (set->configs);
  g_ptr_array_unref (set->invalid_paths);
  g_ptr_array_unref (set->problems);
  g_free (set);
}

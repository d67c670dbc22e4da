/* wsaudio - pipeline files
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A pipeline file is a key file with a single [pipeline] group; see
 * PIPELINE-FILES.md.  Loading reads the file, checks its shape (groups, keys,
 * duplicates), expands ${VAR} forms in every value and checks each value.
 * Every problem found becomes one line "FILE:LINE: message" of the returned
 * error, so `wsaudio check` can show them all at once.  Building the GStreamer
 * pipeline is a separate step (wsa_pipeline_config_instantiate).
 */
#include "pipeline-file.h"

#include "duration.h"
#include "env-expand.h"
#include "keyfile-lines.h"
#include "ws-elements.h"

#include <string.h>

#define GROUP "pipeline"

/* *INDENT-OFF* */
G_DEFINE_QUARK (wsa-config-error-quark, wsa_config_error);
/* *INDENT-ON* */

/* State of one load: the file, its line index and the problems found. */
typedef struct
{
  const gchar *path;
  const gchar *const *envp;
  GKeyFile *keyfile;
  WsaKeyfileLines *lines;
  GPtrArray *problems;
} Loader;

static const gchar *const known_keys[] = {
  "name", "description", "launch", "restart", "restart-delay",
  "restart-max-delay", "on-demand", "idle-timeout", "stall-timeout", NULL
};

/* *INDENT-OFF* */
static void loader_problem (Loader * loader, guint line,
    const gchar * format, ...) G_GNUC_PRINTF (3, 4);
/* *INDENT-ON* */

static void
loader_problem (Loader * loader, guint line, const gchar * format, ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (line > 0)
    g_ptr_array_add (loader->problems,
        g_strdup_printf ("%s:%u: %s", loader->path, line, message));
  else
    g_ptr_array_add (loader->problems,
        g_strdup_printf ("%s: %s", loader->path, message));
}

static void
loader_key_problem (Loader * loader, const gchar * key, const gchar * what)
{
  loader_problem (loader, wsa_keyfile_lines_find_key (loader->lines, GROUP,
          key), "key '%s': %s", key, what);
}

/* The expanded value of @key, or NULL if absent or on error. */
static gchar *
loader_get (Loader * loader, const gchar * key)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *raw = NULL;
  gchar *value;

  if (!g_key_file_has_key (loader->keyfile, GROUP, key, NULL))
    return NULL;
  raw = g_key_file_get_string (loader->keyfile, GROUP, key, &error);
  if (raw == NULL) {
    loader_key_problem (loader, key, error->message);
    return NULL;
  }
  value = wsa_env_expand (raw, loader->envp, &error);
  if (value == NULL)
    loader_key_problem (loader, key, error->message);
  return value;
}

static void
loader_get_duration (Loader * loader, const gchar * key, guint * msec)
{
  g_autofree gchar *value = loader_get (loader, key);
  g_autofree gchar *what = NULL;

  if (value == NULL || wsa_duration_parse (value, msec))
    return;
  what = g_strdup_printf ("invalid duration \"%s\" (expected a number of "
      "seconds, or a number followed by ms, s or m, e.g. 500ms)", value);
  loader_key_problem (loader, key, what);
}

static gboolean
parse_restart (const gchar * value, WsaRestartPolicy * policy)
{
  if (g_str_equal (value, "always"))
    *policy = WSA_RESTART_ALWAYS;
  else if (g_str_equal (value, "on-failure"))
    *policy = WSA_RESTART_ON_FAILURE;
  else if (g_str_equal (value, "never"))
    *policy = WSA_RESTART_NEVER;
  else
    return FALSE;
  return TRUE;
}

static gboolean
is_valid_name (const gchar * name)
{
  const gchar *p;

  if (*name == '\0')
    return FALSE;
  for (p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("_.-", *p))
      return FALSE;
  return TRUE;
}

static gchar *
default_name (const gchar * path)
{
  g_autofree gchar *base = g_path_get_basename (path);

  if (g_str_has_suffix (base, ".pipeline"))
    base[strlen (base) - strlen (".pipeline")] = '\0';
  return g_steal_pointer (&base);
}

static void
load_names (Loader * loader, WsaPipelineConfig * config)
{
  config->name = loader_get (loader, "name");
  if (config->name == NULL)
    config->name = default_name (loader->path);
  if (!is_valid_name (config->name))
    loader_key_problem (loader, "name", "a name may only hold letters, "
        "digits, '_', '.' and '-'");
  config->description = loader_get (loader, "description");
  config->launch = loader_get (loader, "launch");
  config->launch_line =
      wsa_keyfile_lines_find_key (loader->lines, GROUP, "launch");
  if (!g_key_file_has_key (loader->keyfile, GROUP, "launch", NULL))
    loader_problem (loader, wsa_keyfile_lines_find_group (loader->lines,
            GROUP), "missing key 'launch' in [" GROUP "]");
  else if (config->launch && g_strstrip (config->launch)[0] == '\0')
    loader_key_problem (loader, "launch", "the pipeline is empty");
}

static void
load_restart (Loader * loader, WsaPipelineConfig * config)
{
  g_autofree gchar *restart = loader_get (loader, "restart");

  if (restart && !parse_restart (restart, &config->restart)) {
    g_autofree gchar *what = g_strdup_printf ("invalid value \"%s\" "
        "(expected always, on-failure or never)", restart);
    loader_key_problem (loader, "restart", what);
  }
  loader_get_duration (loader, "restart-delay", &config->restart_delay_ms);
  loader_get_duration (loader, "restart-max-delay",
      &config->restart_max_delay_ms);
  if (config->restart_max_delay_ms < config->restart_delay_ms)
    loader_key_problem (loader, "restart-max-delay",
        "must not be shorter than restart-delay");
}

static void
load_on_demand (Loader * loader, WsaPipelineConfig * config)
{
  config->on_demand = loader_get (loader, "on-demand");
  config->on_demand_line =
      wsa_keyfile_lines_find_key (loader->lines, GROUP, "on-demand");
  if (config->on_demand && !is_valid_name (g_strstrip (config->on_demand)))
    loader_key_problem (loader, "on-demand",
        "expected the name of a websocketsink element of the pipeline");
  loader_get_duration (loader, "idle-timeout", &config->idle_timeout_ms);
  loader_get_duration (loader, "stall-timeout", &config->stall_timeout_ms);
}

/* Unknown groups and keys, duplicates, and the [pipeline] group itself. */
static gboolean
check_shape (Loader * loader)
{
  g_auto (GStrv) groups = g_key_file_get_groups (loader->keyfile, NULL);
  g_auto (GStrv) keys = NULL;
  g_autofree gchar *dup_group = NULL;
  g_autofree gchar *dup_key = NULL;
  guint line, i;

  line = wsa_keyfile_lines_find_duplicate (loader->lines, &dup_group, &dup_key);
  if (line > 0 && dup_key)
    loader_problem (loader, line, "key '%s' appears twice in [%s]", dup_key,
        dup_group);
  else if (line > 0)
    loader_problem (loader, line, "group [%s] appears twice", dup_group);
  for (i = 0; groups[i]; i++)
    if (!g_str_equal (groups[i], GROUP))
      loader_problem (loader, wsa_keyfile_lines_find_group (loader->lines,
              groups[i]), "unknown group [%s] (only [" GROUP "] is allowed)",
          groups[i]);
  if (!g_key_file_has_group (loader->keyfile, GROUP)) {
    loader_problem (loader, 0, "no [" GROUP "] group");
    return FALSE;
  }
  keys = g_key_file_get_keys (loader->keyfile, GROUP, NULL, NULL);
  for (i = 0; keys[i]; i++)
    if (!g_strv_contains (known_keys, keys[i]))
      loader_problem (loader, wsa_keyfile_lines_find_key (loader->lines,
              GROUP, keys[i]), "unknown key '%s'", keys[i]);
  return TRUE;
}

static gboolean
loader_read (Loader * loader, GError ** error)
{
  g_autoptr (GError) local = NULL;
  g_autofree gchar *text = NULL;
  gsize len;

  if (!g_file_get_contents (loader->path, &text, &len, &local)) {
    g_set_error (error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_NOT_FOUND,
        "%s: %s", loader->path, local->message);
    return FALSE;
  }
  if (!g_utf8_validate_len (text, len, NULL)) {
    loader_problem (loader, 0, "not valid UTF-8 text");
    return FALSE;
  }
  loader->lines = wsa_keyfile_lines_new (text);
  if (!g_key_file_load_from_data (loader->keyfile, text, len,
          G_KEY_FILE_NONE, &local)) {
    loader_problem (loader,
        wsa_keyfile_lines_find_malformed (loader->lines), "%s", local->message);
    return FALSE;
  }
  return TRUE;
}

static WsaPipelineConfig *
config_new_defaults (const gchar * path)
{
  WsaPipelineConfig *config = g_new0 (WsaPipelineConfig, 1);

  config->path = g_strdup (path);
  config->restart = WSA_DEFAULT_RESTART;
  config->restart_delay_ms = WSA_DEFAULT_RESTART_DELAY_MS;
  config->restart_max_delay_ms = WSA_DEFAULT_RESTART_MAX_DELAY_MS;
  config->idle_timeout_ms = WSA_DEFAULT_IDLE_TIMEOUT_MS;
  config->stall_timeout_ms = WSA_DEFAULT_STALL_TIMEOUT_MS;
  return config;
}

static void
loader_clear (Loader * loader)
{
  g_clear_pointer (&loader->keyfile, g_key_file_unref);
  g_clear_pointer (&loader->lines, wsa_keyfile_lines_free);
  g_clear_pointer (&loader->problems, g_ptr_array_unref);
}

/* *INDENT-OFF* */
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Loader, loader_clear)
/* *INDENT-ON* */

WsaPipelineConfig *
wsa_pipeline_config_load (const gchar * path, const gchar * const *envp,
    GError ** error)
{
  g_auto (Loader) loader = { path, envp, g_key_file_new (), NULL,
    g_ptr_array_new_with_free_func (g_free)
  };
  g_autoptr (WsaPipelineConfig) config = config_new_defaults (path);

  if (!loader_read (&loader, error) && loader.problems->len == 0)
    return NULL;
  if (loader.problems->len == 0 && check_shape (&loader)) {
    load_names (&loader, config);
    load_restart (&loader, config);
    load_on_demand (&loader, config);
  }
  if (loader.problems->len > 0) {
    g_autofree gchar *all = NULL;

    g_ptr_array_add (loader.problems, NULL);
    all = g_strjoinv ("\n", (gchar **) loader.problems->pdata);
    g_set_error_literal (error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_INVALID,
        all);
    return NULL;
  }
  return g_steal_pointer (&config);
}

void
wsa_pipeline_config_free (WsaPipelineConfig * config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  g_free (config->name);
  g_free (config->description);
  g_free (config->launch);
  g_free (config->on_demand);
  g_free (config);
}

gboolean
wsa_pipeline_config_equal (const WsaPipelineConfig * a,
    const WsaPipelineConfig * b)
{
  return g_strcmp0 (a->path, b->path) == 0
      && g_strcmp0 (a->name, b->name) == 0
      && g_strcmp0 (a->description, b->description) == 0
      && g_strcmp0 (a->launch, b->launch) == 0
      && a->restart == b->restart
      && a->restart_delay_ms == b->restart_delay_ms
      && a->restart_max_delay_ms == b->restart_max_delay_ms
      && g_strcmp0 (a->on_demand, b->on_demand) == 0
      && a->idle_timeout_ms == b->idle_timeout_ms
      && a->stall_timeout_ms == b->stall_timeout_ms;
}

const gchar *
wsa_restart_policy_to_string (WsaRestartPolicy policy)
{
  static const gchar *const names[] = { "always", "on-failure", "never" };

  return names[policy];
}

static GstElement *
wrap_in_pipeline (GstElement * element)
{
  GstElement *pipeline;

  if (GST_IS_PIPELINE (element))
    return element;
  pipeline = gst_pipeline_new (NULL);
  gst_bin_add (GST_BIN (pipeline), element);
  return pipeline;
}

static gboolean
check_on_demand (const WsaPipelineConfig * config, GstElement * pipeline,
    GError ** error)
{
  g_autoptr (GstElement) sink = NULL;
  g_autofree gchar *what = NULL;

  if (config->on_demand == NULL)
    return TRUE;
  sink = gst_bin_get_by_name (GST_BIN (pipeline), config->on_demand);
  if (sink && wsa_is_websocket_sink (sink))
    return TRUE;
  if (sink)
    what = g_strdup_printf ("element '%s' is a %s, not a websocketsink",
        config->on_demand, G_OBJECT_TYPE_NAME (sink));
  else
    what = g_strdup_printf ("no element named '%s' in the pipeline",
        config->on_demand);
  g_set_error (error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_INVALID,
      "%s:%u: key 'on-demand': %s", config->path, config->on_demand_line, what);
  return FALSE;
}

GstElement *
wsa_pipeline_config_instantiate (const WsaPipelineConfig * config,
    GError ** error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  GstElement *parsed;

  parsed = gst_parse_launch_full (config->launch, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, &local);
  if (parsed == NULL) {
    g_set_error (error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_INVALID,
        "%s:%u: key 'launch': %s", config->path, config->launch_line,
        local->message);
    return NULL;
  }
  pipeline = gst_object_ref_sink (wrap_in_pipeline (parsed));
  gst_object_set_name (GST_OBJECT (pipeline), config->name);
  if (!check_on_demand (config, pipeline, error))
    return NULL;
  return g_steal_pointer (&pipeline);
}

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

#include "keyfile-loader.h"
#include "ws-elements.h"

#define GROUP "pipeline"
#define SUFFIX ".pipeline"

static const gchar *const known_keys[] = {
  "name", "description", "launch", "restart", "restart-delay",
  "restart-max-delay", "on-demand", "idle-timeout", "stall-timeout", NULL
};

static void
load_names (WsaKeyfileLoader * loader, WsaPipelineConfig * config)
{
  config->name = wsa_keyfile_loader_get_name (loader, SUFFIX);
  config->description = wsa_keyfile_loader_get (loader, "description");
  config->launch = wsa_keyfile_loader_get_required (loader, "launch");
  config->launch_line = wsa_keyfile_loader_key_line (loader, "launch");
  if (config->launch && g_strstrip (config->launch)[0] == '\0')
    wsa_keyfile_loader_key_problem (loader, "launch", "the pipeline is empty");
}

static void
load_on_demand (WsaKeyfileLoader * loader, WsaPipelineConfig * config)
{
  config->on_demand = wsa_keyfile_loader_get (loader, "on-demand");
  config->on_demand_line = wsa_keyfile_loader_key_line (loader, "on-demand");
  if (config->on_demand
      && !wsa_keyfile_is_valid_name (g_strstrip (config->on_demand)))
    wsa_keyfile_loader_key_problem (loader, "on-demand",
        "expected the name of a websocketsink element of the pipeline");
  wsa_keyfile_loader_get_duration (loader, "idle-timeout",
      &config->idle_timeout_ms);
  wsa_keyfile_loader_get_duration (loader, "stall-timeout",
      &config->stall_timeout_ms);
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

WsaPipelineConfig *
wsa_pipeline_config_load (const gchar * path, const gchar * const *envp,
    GError ** error)
{
  g_autoptr (WsaKeyfileLoader) loader = NULL;
  g_autoptr (WsaPipelineConfig) config = config_new_defaults (path);

  loader = wsa_keyfile_loader_new (path, GROUP, known_keys, envp, error);
  if (loader == NULL)
    return NULL;
  if (wsa_keyfile_loader_has_values (loader)) {
    load_names (loader, config);
    wsa_keyfile_loader_get_restart (loader, &config->restart,
        &config->restart_delay_ms, &config->restart_max_delay_ms);
    load_on_demand (loader, config);
  }
  if (!wsa_keyfile_loader_finish (loader, error))
    return NULL;
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

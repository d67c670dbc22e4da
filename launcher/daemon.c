/* wsaudio - the running process: pipelines, signals, status server
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `wsaudio run` loads every pipeline file (all must be valid, or nothing
 * starts), starts one supervisor per file and runs the main loop until:
 *   - SIGTERM or SIGINT: every pipeline goes to NULL (WebSocket clients get a
 *     1001 close frame) and the process exits 0;
 *   - every pipeline has finished or failed for good: exit 0 if all finished
 *     (end of stream), 70 if one failed.
 * SIGHUP re-reads the files: an unchanged file keeps its pipeline running, a
 * changed one is rebuilt and restarted, a new one is started, a removed one
 * stopped; a file that has become invalid is reported and its running
 * version kept.  Signal sources only post work to the main loop, so this is
 * also correct as PID 1 of a container (which has no default signal actions).
 * A watchdog (watchdog.c) ends the process with status 70 if the main loop
 * ever stays blocked, e.g. in a state change that never returns.
 */
#include "daemon.h"

#include "config-set.h"
#include "config.h"
#include "exit-status.h"
#include "http.h"
#include "log.h"
#include "supervisor.h"
#include "watchdog.h"

#include <glib-unix.h>
#include <signal.h>

struct _WsaDaemon
{
  GStrv paths;
  gchar *http_address;
  guint watchdog_s;
  GStrv envp;
  GMainLoop *loop;
  GPtrArray *supervisors;       /* WsaSupervisor *, in load order */
  WsaHttp *http;
  int exit_status;
  guint signal_sources[3];
  guint reload_source;
  guint done_source;
};

static void
print_problems (WsaConfigSet * set, const gchar * suffix)
{
  guint i;

  for (i = 0; i < set->problems->len; i++)
    g_printerr ("ERROR: %s%s\n", (gchar *) g_ptr_array_index (set->problems,
            i), suffix);
}

/* ------------------------------------------------------------------ */
/* Supervisors */

static gboolean
check_done (gpointer user_data)
{
  WsaDaemon *self = user_data;
  gboolean failed = FALSE;
  guint i;

  self->done_source = 0;
  for (i = 0; i < self->supervisors->len; i++) {
    WsaState state = wsa_supervisor_get_state (g_ptr_array_index
        (self->supervisors, i));

    if (state != WSA_STATE_FINISHED && state != WSA_STATE_FAILED)
      return G_SOURCE_REMOVE;
    failed |= state == WSA_STATE_FAILED;
  }
  if (self->supervisors->len == 0)
    return G_SOURCE_REMOVE;
  wsa_log ("no pipeline left to run, exiting");
  self->exit_status = failed ? WSA_EXIT_SOFTWARE : WSA_EXIT_OK;
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static void
on_supervisor_changed (WsaSupervisor * sup, gpointer user_data)
{
  WsaDaemon *self = user_data;
  WsaState state = wsa_supervisor_get_state (sup);

  if ((state == WSA_STATE_FINISHED || state == WSA_STATE_FAILED)
      && self->done_source == 0)
    self->done_source = g_idle_add (check_done, self);
}

static WsaSupervisor *
create_supervisor (WsaDaemon * self, WsaPipelineConfig * config,
    GError ** error)
{
  WsaSupervisor *sup = wsa_supervisor_new (config, error);

  if (sup)
    wsa_supervisor_set_callback (sup, on_supervisor_changed, self);
  return sup;
}

static gint
find_supervisor (WsaDaemon * self, const gchar * path)
{
  guint i;

  for (i = 0; i < self->supervisors->len; i++)
    if (g_str_equal (wsa_supervisor_get_config (g_ptr_array_index
                (self->supervisors, i))->path, path))
      return (gint) i;
  return -1;
}

/* ------------------------------------------------------------------ */
/* Reload */

static gboolean
path_listed (GPtrArray * configs, GPtrArray * invalid, const gchar * path)
{
  guint i;

  for (i = 0; i < configs->len; i++)
    if (g_str_equal (((WsaPipelineConfig *) g_ptr_array_index (configs,
                    i))->path, path))
      return TRUE;
  return g_ptr_array_find_with_equal_func (invalid, path, g_str_equal, NULL);
}

static guint
stop_removed (WsaDaemon * self, WsaConfigSet * set)
{
  guint i = 0, stopped = 0;

  while (i < self->supervisors->len) {
    WsaSupervisor *sup = g_ptr_array_index (self->supervisors, i);

    if (path_listed (set->configs, set->invalid_paths,
            wsa_supervisor_get_config (sup)->path)) {
      i++;
      continue;
    }
    wsa_supervisor_stop (sup, "file removed");
    g_ptr_array_remove_index (self->supervisors, i);
    stopped++;
  }
  return stopped;
}

/* Replaces (index >= 0) or adds a supervisor for @config; returns FALSE if
 * the new pipeline cannot be built. */
static gboolean
replace_supervisor (WsaDaemon * self, gint index, WsaPipelineConfig * config)
{
  g_autoptr (GError) error = NULL;
  WsaSupervisor *sup = create_supervisor (self, config, &error);

  if (sup == NULL) {
    g_printerr ("ERROR: %s%s\n", error->message, index >= 0 ?
        " (keeping the running version)" : "");
    return FALSE;
  }
  if (index >= 0) {
    WsaSupervisor *old = g_ptr_array_index (self->supervisors, index);

    wsa_supervisor_stop (old, "file changed");
    g_ptr_array_index (self->supervisors, index) = sup;
    wsa_supervisor_unref (old);
  } else {
    g_ptr_array_add (self->supervisors, sup);
  }
  wsa_supervisor_start (sup);
  return TRUE;
}

typedef struct
{
  guint kept, changed, added, stopped;
} ReloadCounts;

/* Applies the new version of one file: keep, replace or add. */
static void
apply_config (WsaDaemon * self, WsaConfigSet * set, guint i,
    ReloadCounts * counts)
{
  WsaPipelineConfig *config = g_ptr_array_index (set->configs, i);
  gint index = find_supervisor (self, config->path);

  if (index >= 0 && wsa_pipeline_config_equal (config,
          wsa_supervisor_get_config (g_ptr_array_index (self->supervisors,
                  index)))) {
    counts->kept++;
    return;
  }
  if (!replace_supervisor (self, index,
          g_steal_pointer (&set->configs->pdata[i])))
    return;
  if (index >= 0)
    counts->changed++;
  else
    counts->added++;
}

static gboolean
reload (gpointer user_data)
{
  WsaDaemon *self = user_data;
  g_autoptr (WsaConfigSet) set = NULL;
  ReloadCounts counts = { 0 };
  guint i;

  self->reload_source = 0;
  wsa_log ("SIGHUP: reloading pipeline files");
  set = wsa_config_set_load ((const gchar * const *) self->paths,
      (const gchar * const *) self->envp, FALSE);
  print_problems (set, " (not reloaded)");
  counts.stopped = stop_removed (self, set);
  for (i = 0; i < set->configs->len; i++)
    apply_config (self, set, i, &counts);
  wsa_log ("reloaded: %u unchanged, %u restarted, %u started, %u stopped",
      counts.kept, counts.changed, counts.added, counts.stopped);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* Signals */

static gboolean
on_terminate (gpointer user_data)
{
  WsaDaemon *self = user_data;

  wsa_log ("received a termination signal, stopping");
  self->exit_status = WSA_EXIT_OK;
  g_main_loop_quit (self->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_hangup (gpointer user_data)
{
  WsaDaemon *self = user_data;

  if (self->reload_source == 0)
    self->reload_source = g_idle_add (reload, self);
  return G_SOURCE_CONTINUE;
}

static void
watch_signals (WsaDaemon * self)
{
  /* A closed client socket must not kill the process. */
  signal (SIGPIPE, SIG_IGN);
  self->signal_sources[0] = g_unix_signal_add (SIGTERM, on_terminate, self);
  self->signal_sources[1] = g_unix_signal_add (SIGINT, on_terminate, self);
  self->signal_sources[2] = g_unix_signal_add (SIGHUP, on_hangup, self);
}

/* ------------------------------------------------------------------ */
/* Life cycle */

WsaDaemon *
wsa_daemon_new (const gchar * const *paths, const gchar * http_address,
    guint watchdog_s)
{
  WsaDaemon *self = g_new0 (WsaDaemon, 1);

  self->paths = g_strdupv ((gchar **) paths);
  self->http_address = g_strdup (http_address);
  self->watchdog_s = watchdog_s;
  self->envp = g_get_environ ();
  self->loop = g_main_loop_new (NULL, FALSE);
  self->supervisors = g_ptr_array_new_with_free_func ((GDestroyNotify)
      wsa_supervisor_unref);
  return self;
}

static int
load (WsaDaemon * self)
{
  g_autoptr (WsaConfigSet) set = NULL;
  guint i;

  set = wsa_config_set_load ((const gchar * const *) self->paths,
      (const gchar * const *) self->envp, FALSE);
  print_problems (set, "");
  if (set->problems->len > 0)
    return set->missing_input ? WSA_EXIT_NOINPUT : WSA_EXIT_CONFIG;
  for (i = 0; i < set->configs->len; i++) {
    g_autoptr (GError) error = NULL;
    WsaPipelineConfig *config = g_steal_pointer (&set->configs->pdata[i]);
    WsaSupervisor *sup = create_supervisor (self, config, &error);

    if (sup == NULL) {
      g_printerr ("ERROR: %s\n", error->message);
      return WSA_EXIT_CONFIG;
    }
    g_ptr_array_add (self->supervisors, sup);
  }
  return WSA_EXIT_OK;
}

static GPtrArray *
get_supervisors (gpointer user_data)
{
  WsaDaemon *self = user_data;

  return self->supervisors;
}

static void
stop_all (WsaDaemon * self)
{
  guint i;

  for (i = 0; i < self->supervisors->len; i++)
    wsa_supervisor_stop (g_ptr_array_index (self->supervisors, i),
        "shutting down");
}

static gboolean
start_http (WsaDaemon * self)
{
  g_autoptr (GError) error = NULL;

  if (self->http_address == NULL)
    return TRUE;
  self->http = wsa_http_new (self->http_address, get_supervisors, self, &error);
  if (self->http == NULL)
    g_printerr ("ERROR: --http %s: %s\n", self->http_address, error->message);
  return self->http != NULL;
}

int
wsa_daemon_run (WsaDaemon * self)
{
  g_autoptr (WsaWatchdog) watchdog = NULL;
  int status = load (self);
  guint i;

  if (status != WSA_EXIT_OK)
    return status;
  if (!start_http (self))
    return WSA_EXIT_SOFTWARE;
  watch_signals (self);
  watchdog = wsa_watchdog_new (self->watchdog_s, WSA_EXIT_SOFTWARE);
  wsa_log ("%s %s: running %u pipeline%s", PACKAGE, VERSION,
      self->supervisors->len, self->supervisors->len == 1 ? "" : "s");
  for (i = 0; i < self->supervisors->len; i++)
    wsa_supervisor_start (g_ptr_array_index (self->supervisors, i));
  g_main_loop_run (self->loop);
  stop_all (self);
  wsa_log ("stopped");
  return self->exit_status;
}

void
wsa_daemon_free (WsaDaemon * self)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    g_clear_handle_id (&self->signal_sources[i], g_source_remove);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->done_source, g_source_remove);
  g_clear_pointer (&self->http, wsa_http_free);
  g_ptr_array_unref (self->supervisors);
  g_main_loop_unref (self->loop);
  g_strfreev (self->envp);
  g_strfreev (self->paths);
  g_free (self->http_address);
  g_free (self);
}

/* wsaudio - the running process: pipelines, processes, signals, status
 * server
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `wsaudio run` loads every pipeline and process file (all must be valid,
 * or nothing starts), starts the processes (process-list.c), then, once
 * every process is ready (a ready-socket accepts connections) or the
 * longest ready-timeout has passed, one supervisor per pipeline file, and
 * runs the main loop until:
 *   - SIGTERM or SIGINT: every pipeline goes to NULL (WebSocket clients get a
 *     1001 close frame), every process gets SIGTERM (SIGKILL after its
 *     stop-timeout), and once all are reaped the process exits 0;
 *   - every pipeline and process has finished or failed for good: exit 0 if
 *     all finished, 70 if one failed.
 * SIGHUP re-reads the files: an unchanged file keeps its pipeline or process
 * running, a changed one is rebuilt and restarted, a new one is started, a
 * removed one stopped; a file that has become invalid is reported and its
 * running version kept.  Signal sources only post work to the main loop, so
 * this is also correct as PID 1 of a container (which has no default signal
 * actions); GSubprocess reaps our own children, not orphans reparented to
 * us.  A watchdog (watchdog.c) ends the process with status 70 if the main
 * loop ever stays blocked, e.g. in a state change that never returns.
 */
#include "daemon.h"

#include "config-set.h"
#include "config.h"
#include "duration.h"
#include "exit-status.h"
#include "http.h"
#include "log.h"
#include "process-list.h"
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
  WsaProcessList *processes;
  WsaHttp *http;
  int exit_status;
  guint signal_sources[3];
  guint reload_source;
  guint done_source;
  gboolean pipelines_started;
  guint ready_timeout_source;
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
  if (!wsa_process_list_has_ended (self->processes, &failed))
    return G_SOURCE_REMOVE;
  if (self->supervisors->len == 0
      && wsa_process_list_get (self->processes)->len == 0)
    return G_SOURCE_REMOVE;
  wsa_log ("nothing left to run, exiting");
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

/* ------------------------------------------------------------------ */
/* Pipelines wait for the processes they need */

/* The names of the processes not ready yet, or NULL when all are. */
static gchar *
processes_not_ready (WsaDaemon * self, guint * timeout_ms)
{
  GPtrArray *processes = wsa_process_list_get (self->processes);
  g_autoptr (GString) names = g_string_new (NULL);
  guint i;

  for (i = 0; i < processes->len; i++) {
    WsaProcessSupervisor *proc = g_ptr_array_index (processes, i);
    const WsaProcessConfig *config = wsa_process_supervisor_get_config (proc);

    if (config->ready_socket == NULL || wsa_process_supervisor_is_ready (proc))
      continue;
    g_string_append_printf (names, "%s%s (ready-socket %s)",
        names->len ? ", " : "", config->name, config->ready_socket);
    if (timeout_ms)
      *timeout_ms = MAX (*timeout_ms, config->ready_timeout_ms);
  }
  return names->len ? g_string_free (g_steal_pointer (&names), FALSE) : NULL;
}

static void
start_pipelines (WsaDaemon * self)
{
  guint i;

  self->pipelines_started = TRUE;
  g_clear_handle_id (&self->ready_timeout_source, g_source_remove);
  for (i = 0; i < self->supervisors->len; i++)
    wsa_supervisor_start (g_ptr_array_index (self->supervisors, i));
}

static gboolean
on_ready_timeout (gpointer user_data)
{
  WsaDaemon *self = user_data;
  g_autofree gchar *names = processes_not_ready (self, NULL);

  self->ready_timeout_source = 0;
  wsa_log ("not ready in time: %s; starting the pipelines anyway", names);
  start_pipelines (self);
  return G_SOURCE_REMOVE;
}

/* A pipeline started before the daemon it talks to fails its first
 * attempt with an error, so they wait for it; at most ready-timeout, after
 * which they start and retry as they do when it dies later. */
static void
start_pipelines_when_ready (WsaDaemon * self)
{
  guint timeout_ms = 0;
  g_autofree gchar *names = processes_not_ready (self, &timeout_ms);
  g_autofree gchar *timeout = NULL;

  if (names == NULL) {
    start_pipelines (self);
    return;
  }
  timeout = wsa_duration_format (timeout_ms);
  wsa_log ("the pipelines wait for %s, at most %s", names, timeout);
  self->ready_timeout_source = g_timeout_add (timeout_ms, on_ready_timeout,
      self);
}

static void
on_processes_changed (gpointer user_data)
{
  WsaDaemon *self = user_data;
  gboolean failed = FALSE;
  g_autofree gchar *names = NULL;

  if (!self->pipelines_started && self->ready_timeout_source != 0
      && (names = processes_not_ready (self, NULL)) == NULL)
    start_pipelines (self);

  if (wsa_process_list_has_ended (self->processes, &failed)
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

static guint
stop_removed (WsaDaemon * self, WsaConfigSet * set)
{
  guint i = 0, stopped = 0;

  while (i < self->supervisors->len) {
    WsaSupervisor *sup = g_ptr_array_index (self->supervisors, i);

    if (wsa_config_set_has_path (set, wsa_supervisor_get_config (sup)->path)) {
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
  if (self->pipelines_started)
    wsa_supervisor_start (sup);
  return TRUE;
}

/* Applies the new version of one file: keep, replace or add. */
static void
apply_config (WsaDaemon * self, WsaConfigSet * set, guint i,
    WsaReloadCounts * counts)
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
  WsaReloadCounts counts = { 0 };
  guint i;

  self->reload_source = 0;
  wsa_log ("SIGHUP: reloading the files");
  set = wsa_config_set_load ((const gchar * const *) self->paths,
      (const gchar * const *) self->envp, FALSE);
  print_problems (set, " (not reloaded)");
  counts.stopped = stop_removed (self, set);
  for (i = 0; i < set->configs->len; i++)
    apply_config (self, set, i, &counts);
  wsa_process_list_reload (self->processes, set, &counts);
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
  self->processes = wsa_process_list_new (on_processes_changed, self);
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
  for (i = 0; i < set->processes->len; i++)
    wsa_process_list_add (self->processes,
        g_steal_pointer (&set->processes->pdata[i]));
  return WSA_EXIT_OK;
}

static void
get_subjects (gpointer user_data, GPtrArray ** pipelines,
    GPtrArray ** processes)
{
  WsaDaemon *self = user_data;

  *pipelines = self->supervisors;
  *processes = wsa_process_list_get (self->processes);
}

/* Pipelines first (they may be PulseAudio clients of a process), then the
 * processes, whose children are waited for: SIGTERM, SIGKILL after their
 * stop-timeout. */
static void
stop_all (WsaDaemon * self)
{
  guint i;

  for (i = 0; i < self->supervisors->len; i++)
    wsa_supervisor_stop (g_ptr_array_index (self->supervisors, i),
        "shutting down");
  wsa_process_list_stop (self->processes, "shutting down");
  while (wsa_process_list_is_alive (self->processes))
    g_main_context_iteration (NULL, TRUE);
}

static void
log_start (WsaDaemon * self)
{
  guint pipelines = self->supervisors->len;
  guint processes = wsa_process_list_get (self->processes)->len;
  g_autofree gchar *also = processes == 0 ? g_strdup ("") :
      g_strdup_printf (" and %u process%s", processes,
      processes == 1 ? "" : "es");

  wsa_log ("%s %s: running %u pipeline%s%s", PACKAGE, VERSION, pipelines,
      pipelines == 1 ? "" : "s", also);
}

static gboolean
start_http (WsaDaemon * self)
{
  g_autoptr (GError) error = NULL;

  if (self->http_address == NULL)
    return TRUE;
  self->http = wsa_http_new (self->http_address, get_subjects, self, &error);
  if (self->http == NULL)
    g_printerr ("ERROR: --http %s: %s\n", self->http_address, error->message);
  return self->http != NULL;
}

int
wsa_daemon_run (WsaDaemon * self)
{
  g_autoptr (WsaWatchdog) watchdog = NULL;
  int status = load (self);

  if (status != WSA_EXIT_OK)
    return status;
  if (!start_http (self))
    return WSA_EXIT_SOFTWARE;
  watch_signals (self);
  watchdog = wsa_watchdog_new (self->watchdog_s, WSA_EXIT_SOFTWARE);
  log_start (self);
  wsa_process_list_start (self->processes);
  start_pipelines_when_ready (self);
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
  g_clear_handle_id (&self->ready_timeout_source, g_source_remove);
  g_clear_pointer (&self->http, wsa_http_free);
  g_ptr_array_unref (self->supervisors);
  wsa_process_list_free (self->processes);
  g_main_loop_unref (self->loop);
  g_strfreev (self->envp);
  g_strfreev (self->paths);
  g_free (self->http_address);
  g_free (self);
}

/* wsaudio - runs one program and restarts it per its policy
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One supervisor owns at most one child process at a time, a GSubprocess
 * spawned from the main context with wsaudio's stdout and stderr (so its
 * output goes where wsaudio's log goes), stdin from /dev/null and
 * wsaudio's environment.  GSubprocess reaps the child; its exit comes back
 * as a wait_async callback on the main context, which applies the restart
 * policy with the same bookkeeping as pipelines (restart-policy.c): the n-th
 * consecutive failure waits restart-delay × 2^(n-1), at most
 * restart-max-delay, and a run lasting restart-max-delay resets the count.
 * A non-zero exit status and a death by a signal are failures; an exit with
 * status 0 is restarted only by restart = always.
 *
 * Stopping sends SIGTERM, then SIGKILL stop-timeout later if the child is
 * still there.  Stopping is asynchronous: the state is "stopping" until the
 * child has been reaped, and wsa_process_supervisor_is_alive() says whether
 * it has.  The pending wait holds a reference, so a supervisor dropped by
 * its owner while stopping lives until its child is gone.
 *
 * A process with a ready-socket is ready once that unix socket accepts a
 * connection, polled every READY_POLL_MS from the spawn on (nothing
 * notifies the appearance of a socket another process binds): the
 * "running" event is logged again with the reason "ready", and the owner
 * is told.  A process without one is ready as soon as it is spawned.
 *
 * Children get SIGTERM if wsaudio itself dies (PR_SET_PDEATHSIG on Linux),
 * so a killed or crashed wsaudio leaves no daemon behind, and get SIGPIPE
 * back to its default action (wsaudio ignores it).
 */
#include "process-supervisor.h"

#include "duration.h"
#include "log.h"
#include "restart-policy.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

struct _WsaProcessSupervisor
{
  gint ref_count;
  WsaProcessConfig *config;
  GSubprocess *child;           /* NULL once reaped */
  gint pid;                     /* of child, 0 if none or unknown */

  WsaProcessState state;
  gchar *reason;
  gchar *stop_reason;
  WsaRestarter restarter;
  gboolean ready;
  guint ready_source;
  gint64 spawned_us;            /* monotonic */

  guint kill_source;
  WsaProcessSupervisorFunc func;
  gpointer func_data;
};

static const gchar *const state_names[] = {
  "stopped", "running", "stopping", "restarting", "failed", "finished"
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_names) == WSA_PROCESS_STATE_LAST + 1);

const gchar *
wsa_process_state_to_string (WsaProcessState state)
{
  return state_names[state];
}

gboolean
wsa_process_state_is_failing (WsaProcessState state)
{
  return state == WSA_PROCESS_RESTARTING || state == WSA_PROCESS_FAILED;
}

/* ------------------------------------------------------------------ */
/* Logging and state changes */

/* @pid: the process the event is about (0: none). */
static void
set_state (WsaProcessSupervisor * self, WsaProcessState state,
    const gchar * reason, gint pid)
{
  gchar *copy = g_strdup (reason);

  self->state = state;
  g_free (self->reason);
  self->reason = copy;
  wsa_log_process_event (self->config->name, state_names[state],
      self->restarter.restarts, pid, copy);
  if (self->func)
    self->func (self, self->func_data);
}

static const gchar *
signal_name (gint signum)
{
  switch (signum) {
    case SIGHUP:
      return "SIGHUP";
    case SIGINT:
      return "SIGINT";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGILL:
      return "SIGILL";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGKILL:
      return "SIGKILL";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGTERM:
      return "SIGTERM";
    default:
      return NULL;
  }
}

static gchar *
describe_exit (GSubprocess * child)
{
  gint signum;

  if (!g_subprocess_get_if_signaled (child))
    return g_strdup_printf ("exited with status %d",
        g_subprocess_get_exit_status (child));
  signum = g_subprocess_get_term_sig (child);
  if (signal_name (signum))
    return g_strdup_printf ("killed by signal %d (%s)", signum,
        signal_name (signum));
  return g_strdup_printf ("killed by signal %d", signum);
}

/* ------------------------------------------------------------------ */
/* Readiness */

#define READY_POLL_MS 20

/* Whether something listens on the unix socket @path. */
static gboolean
socket_accepts (const gchar * path)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX,
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL);
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr (GError) error = NULL;

  if (socket == NULL)
    return FALSE;
  /* A full backlog (EAGAIN) is someone listening too. */
  g_socket_set_blocking (socket, FALSE);
  return g_socket_connect (socket, address, NULL, &error)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

static gboolean
on_ready_poll (gpointer user_data)
{
  WsaProcessSupervisor *self = user_data;
  g_autofree gchar *line = NULL;

  if (!socket_accepts (self->config->ready_socket))
    return G_SOURCE_CONTINUE;
  self->ready_source = 0;
  self->ready = TRUE;
  line = g_strdup_printf ("ready: %s accepts connections, %" G_GINT64_FORMAT
      " ms after the start", self->config->ready_socket,
      (g_get_monotonic_time () - self->spawned_us) / 1000);
  set_state (self, WSA_PROCESS_RUNNING, line, self->pid);
  return G_SOURCE_REMOVE;
}

static void
watch_ready (WsaProcessSupervisor * self)
{
  self->spawned_us = g_get_monotonic_time ();
  self->ready = self->config->ready_socket == NULL;
  if (!self->ready)
    self->ready_source = g_timeout_add (READY_POLL_MS, on_ready_poll, self);
}

static void
unwatch_ready (WsaProcessSupervisor * self)
{
  g_clear_handle_id (&self->ready_source, g_source_remove);
  self->ready = FALSE;
}

/* ------------------------------------------------------------------ */
/* Spawning */

static void
setup_child (gpointer user_data)
{
  signal (SIGPIPE, SIG_DFL);
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  /* wsaudio may have died before the prctl.  (Not raise(): until the exec,
   * SIGTERM still has wsaudio's handler.) */
  if (getppid () != (pid_t) GPOINTER_TO_INT (user_data))
    _exit (1);
#endif
}

static void handle_exit (WsaProcessSupervisor * self, gboolean failed,
    const gchar * what, gint pid);
static void on_child_exit (GObject * source, GAsyncResult * result,
    gpointer user_data);

static void
spawn (WsaProcessSupervisor * self, const gchar * reason)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *what = NULL;
  const gchar *id;

  g_subprocess_launcher_set_child_setup (launcher, setup_child,
      GINT_TO_POINTER (getpid ()), NULL);
  self->child = g_subprocess_launcher_spawnv (launcher,
      (const gchar * const *) self->config->argv, &error);
  if (self->child == NULL) {
    what = g_strdup_printf ("could not start %s: %s", self->config->argv[0],
        error->message);
    handle_exit (self, TRUE, what, 0);
    return;
  }
  /* No identifier if the child has already exited and been reaped. */
  id = g_subprocess_get_identifier (self->child);
  self->pid = id ? atoi (id) : 0;
  g_subprocess_wait_async (self->child, NULL, on_child_exit,
      wsa_process_supervisor_ref (self));
  wsa_restarter_arm_healthy (&self->restarter);
  watch_ready (self);
  set_state (self, WSA_PROCESS_RUNNING, reason, self->pid);
}

/* ------------------------------------------------------------------ */
/* Exits and restarts */

static void
on_restart (gpointer user_data, const gchar * reason)
{
  spawn (user_data, reason);
}

/* The child @pid is gone (or could not be started: pid 0). */
static void
handle_exit (WsaProcessSupervisor * self, gboolean failed, const gchar * what,
    gint pid)
{
  g_autofree gchar *line = NULL;

  wsa_restarter_cancel (&self->restarter);
  if (!failed && self->config->restart != WSA_RESTART_ALWAYS) {
    set_state (self, WSA_PROCESS_FINISHED, what, pid);
    return;
  }
  wsa_restarter_fail (&self->restarter);
  if (failed && self->config->restart == WSA_RESTART_NEVER) {
    set_state (self, WSA_PROCESS_FAILED, what, pid);
    return;
  }
  line = wsa_restarter_schedule (&self->restarter, what);
  set_state (self, WSA_PROCESS_RESTARTING, line, pid);
}

static void
on_child_exit (GObject * source, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (WsaProcessSupervisor) self = user_data;
  GSubprocess *child = G_SUBPROCESS (source);
  g_autofree gchar *what = NULL;
  g_autofree gchar *line = NULL;
  gint pid = self->pid;
  gboolean failed;

  g_subprocess_wait_finish (child, result, NULL);
  what = describe_exit (child);
  failed = !g_subprocess_get_successful (child);
  g_clear_handle_id (&self->kill_source, g_source_remove);
  unwatch_ready (self);
  g_clear_object (&self->child);
  self->pid = 0;
  if (self->state != WSA_PROCESS_STOPPING) {
    handle_exit (self, failed, what, pid);
    return;
  }
  line = g_strdup_printf ("%s: %s", self->stop_reason, what);
  set_state (self, WSA_PROCESS_STOPPED, line, pid);
}

/* ------------------------------------------------------------------ */
/* Stopping */

static gboolean
on_stop_timeout (gpointer user_data)
{
  WsaProcessSupervisor *self = user_data;
  g_autofree gchar *timeout =
      wsa_duration_format (self->config->stop_timeout_ms);
  g_autofree gchar *line = g_strdup_printf ("%s: still running %s after "
      "SIGTERM, sending SIGKILL", self->stop_reason, timeout);

  self->kill_source = 0;
  g_subprocess_force_exit (self->child);
  set_state (self, WSA_PROCESS_STOPPING, line, self->pid);
  return G_SOURCE_REMOVE;
}

/* SIGTERM now, SIGKILL stop-timeout later; "stopped" once it is reaped. */
void
wsa_process_supervisor_stop (WsaProcessSupervisor * self, const gchar * reason)
{
  g_autofree gchar *line = NULL;

  wsa_restarter_cancel (&self->restarter);
  if (self->child == NULL) {
    if (self->state != WSA_PROCESS_STOPPED)
      set_state (self, WSA_PROCESS_STOPPED, reason, 0);
    return;
  }
  if (self->state == WSA_PROCESS_STOPPING)
    return;
  g_free (self->stop_reason);
  self->stop_reason = g_strdup (reason);
  unwatch_ready (self);
  g_subprocess_send_signal (self->child, SIGTERM);
  self->kill_source = g_timeout_add (self->config->stop_timeout_ms,
      on_stop_timeout, self);
  line = g_strdup_printf ("%s: sent SIGTERM", reason);
  set_state (self, WSA_PROCESS_STOPPING, line, self->pid);
}

/* ------------------------------------------------------------------ */
/* Life cycle */

/* Takes @config; does not start the program. */
WsaProcessSupervisor *
wsa_process_supervisor_new (WsaProcessConfig * config)
{
  WsaProcessSupervisor *self = g_new0 (WsaProcessSupervisor, 1);

  self->ref_count = 1;
  self->config = config;
  wsa_restarter_init (&self->restarter, config->restart_delay_ms,
      config->restart_max_delay_ms, on_restart, NULL, self);
  return self;
}

WsaProcessSupervisor *
wsa_process_supervisor_ref (WsaProcessSupervisor * self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
wsa_process_supervisor_unref (WsaProcessSupervisor * self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_warn_if_fail (self->child == NULL);
  wsa_restarter_cancel (&self->restarter);
  unwatch_ready (self);
  wsa_process_config_free (self->config);
  g_free (self->reason);
  g_free (self->stop_reason);
  g_free (self);
}

void
wsa_process_supervisor_set_callback (WsaProcessSupervisor * self,
    WsaProcessSupervisorFunc func, gpointer user_data)
{
  self->func = func;
  self->func_data = user_data;
}

void
wsa_process_supervisor_start (WsaProcessSupervisor * self)
{
  g_return_if_fail (self->child == NULL);

  wsa_restarter_cancel (&self->restarter);
  wsa_restarter_reset (&self->restarter);
  spawn (self, "started");
}

/* Whether the child runs and, with a ready-socket, accepts connections. */
gboolean
wsa_process_supervisor_is_ready (WsaProcessSupervisor * self)
{
  return self->ready;
}

/* Whether a child has been started and not reaped yet. */
gboolean
wsa_process_supervisor_is_alive (WsaProcessSupervisor * self)
{
  return self->child != NULL;
}

/* ------------------------------------------------------------------ */
/* Accessors */

WsaProcessState
wsa_process_supervisor_get_state (WsaProcessSupervisor * self)
{
  return self->state;
}

const gchar *
wsa_process_supervisor_get_reason (WsaProcessSupervisor * self)
{
  return self->reason;
}

const WsaProcessConfig *
wsa_process_supervisor_get_config (WsaProcessSupervisor * self)
{
  return self->config;
}

const gchar *
wsa_process_supervisor_get_name (WsaProcessSupervisor * self)
{
  return self->config->name;
}

/* The pid of the running (or stopping) child, 0 if none. */
gint
wsa_process_supervisor_get_pid (WsaProcessSupervisor * self)
{
  return self->pid;
}

guint
wsa_process_supervisor_get_restarts (WsaProcessSupervisor * self)
{
  return self->restarter.restarts;
}

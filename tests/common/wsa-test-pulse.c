/* wsaudio - test helpers: a private PulseAudio daemon
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each WsaTestPulse owns a temporary directory that serves as the daemon's
 * HOME and XDG_RUNTIME_DIR and holds its configuration script, its native
 * protocol socket ("native") and its log ("pulseaudio.log").  The daemon runs
 * in the foreground (pulseaudio -n --daemonize=no -F script) with:
 *   - module-native-protocol-unix on DIR/native, anonymous access;
 *   - sink "speaker" (module-null-sink), the default sink;
 *   - null sink "micsink" and source "microphone" remapping
 *     micsink.monitor, the default source.
 * wsa_test_pulse_new() sets PULSE_SERVER (and a client config without
 * autospawn) in this process's environment, so PulseAudio clients created
 * afterwards, in this process or in children, use the private daemon.
 *
 * start waits until `pactl info` answers (polled on the main context with a
 * timeout), kill sends SIGKILL and reaps the process; start may be called
 * again after kill or stop, with the same socket path.
 */
#include "wsa-test-pulse.h"

#include "wsa-test-wait.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>

#define START_TIMEOUT_MS 10000

struct _WsaTestPulse
{
  gchar *dir;
  gchar *server;                /* unix:DIR/native */
  gchar *script;
  gchar *log;
  GSubprocess *daemon;
};

gboolean
wsa_test_pulse_available (void)
{
  g_autofree gchar *daemon = g_find_program_in_path ("pulseaudio");
  g_autofree gchar *pactl = g_find_program_in_path ("pactl");

  return daemon != NULL && pactl != NULL;
}

static void
write_file (const gchar * path, const gchar * contents)
{
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, contents, -1, &error))
    g_error ("cannot write %s: %s", path, error->message);
}

#define SCRIPT \
  "load-module module-native-protocol-unix socket=%s/native " \
  "auth-anonymous=1\n" \
  "load-module module-null-sink sink_name=speaker\n" \
  "load-module module-null-sink sink_name=micsink\n" \
  "load-module module-remap-source master=micsink.monitor " \
  "source_name=microphone\n" \
  "set-default-sink speaker\n" \
  "set-default-source microphone\n"

static void
write_config (WsaTestPulse * self)
{
  g_autofree gchar *script = g_strdup_printf (SCRIPT, self->dir);
  g_autofree gchar *client = g_build_filename (self->dir, "client.conf",
      NULL);

  write_file (self->script, script);
  write_file (client, "autospawn = no\n");
  g_setenv ("PULSE_SERVER", self->server, TRUE);
  g_setenv ("PULSE_CLIENTCONFIG", client, TRUE);
}

WsaTestPulse *
wsa_test_pulse_new (void)
{
  g_autoptr (GError) error = NULL;
  WsaTestPulse *self = g_new0 (WsaTestPulse, 1);

  self->dir = g_dir_make_tmp ("wsaudio-pulse-XXXXXX", &error);
  if (self->dir == NULL)
    g_error ("cannot make a temporary directory: %s", error->message);
  self->server = g_strdup_printf ("unix:%s/native", self->dir);
  self->script = g_build_filename (self->dir, "default.pa", NULL);
  self->log = g_build_filename (self->dir, "pulseaudio.log", NULL);
  write_config (self);
  return self;
}

/* In the child: a test that crashes or times out takes its daemon along. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
make_launcher (WsaTestPulse * self)
{
  GSubprocessLauncher *launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autofree gchar *config = g_build_filename (self->dir, ".config", NULL);

  g_subprocess_launcher_setenv (launcher, "HOME", self->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", self->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_set_stderr_file_path (launcher, self->log);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return launcher;
}

static void
on_pactl_done (GObject * source, GAsyncResult * result, gpointer user_data)
{
  gint *answer = user_data;

  *answer = g_subprocess_wait_check_finish (G_SUBPROCESS (source), result,
      NULL) ? 1 : 0;
}

/* Runs `pactl info` once; TRUE if the daemon answered. */
static gboolean
pactl_answers (void)
{
  g_autoptr (GSubprocess) pactl = NULL;
  gint answer = -1;

  pactl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
      | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL, "pactl", "info", NULL);
  if (pactl == NULL)
    return FALSE;
  g_subprocess_wait_check_async (pactl, NULL, on_pactl_done, &answer);
  WSA_TEST_WAIT_UNTIL (answer >= 0, START_TIMEOUT_MS);
  if (answer < 0)
    g_subprocess_force_exit (pactl);
  return answer == 1;
}

gboolean
wsa_test_pulse_is_running (WsaTestPulse * self)
{
  return self->daemon != NULL
      && g_subprocess_get_identifier (self->daemon) != NULL;
}

static gboolean
wait_ready (WsaTestPulse * self, GError ** error)
{
  gboolean ready = WSA_TEST_WAIT_UNTIL (!wsa_test_pulse_is_running (self)
      || pactl_answers (), START_TIMEOUT_MS);
  g_autofree gchar *log = NULL;

  if (ready && wsa_test_pulse_is_running (self))
    return TRUE;
  log = wsa_test_pulse_get_log (self);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
      "PulseAudio did not start: %s", log);
  return FALSE;
}

gboolean
wsa_test_pulse_start (WsaTestPulse * self, GError ** error)
{
  g_autoptr (GSubprocessLauncher) launcher = make_launcher (self);
  g_autofree gchar *socket = g_build_filename (self->dir, "native", NULL);

  g_return_val_if_fail (self->daemon == NULL, FALSE);
  g_unlink (socket);
  self->daemon = g_subprocess_launcher_spawn (launcher, error, "pulseaudio",
      "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
      "--system=no", "--high-priority=no", "--realtime=no",
      "--disable-shm=yes", "--log-target=stderr", "-F", self->script, NULL);
  if (self->daemon == NULL)
    return FALSE;
  if (wait_ready (self, error))
    return TRUE;
  wsa_test_pulse_kill (self);
  return FALSE;
}

static void
end_daemon (WsaTestPulse * self, gint signum)
{
  if (self->daemon == NULL)
    return;
  if (wsa_test_pulse_is_running (self))
    g_subprocess_send_signal (self->daemon, signum);
  g_subprocess_wait (self->daemon, NULL, NULL);
  g_clear_object (&self->daemon);
}

/* kill -9, as a crash would; returns once the process is gone. */
void
wsa_test_pulse_kill (WsaTestPulse * self)
{
  end_daemon (self, SIGKILL);
}

void
wsa_test_pulse_stop (WsaTestPulse * self)
{
  end_daemon (self, SIGTERM);
}

const gchar *
wsa_test_pulse_get_server (WsaTestPulse * self)
{
  return self->server;
}

const gchar *
wsa_test_pulse_get_dir (WsaTestPulse * self)
{
  return self->dir;
}

gchar *
wsa_test_pulse_get_log (WsaTestPulse * self)
{
  gchar *log = NULL;

  if (!g_file_get_contents (self->log, &log, NULL, NULL))
    return g_strdup ("(no log)");
  return log;
}

/* Removes @path and everything below it (not following links). */
void
wsa_test_remove_tree (const gchar * path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree gchar *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR)
        && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      wsa_test_remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

void
wsa_test_pulse_free (WsaTestPulse * self)
{
  wsa_test_pulse_stop (self);
  wsa_test_remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->server);
  g_free (self->script);
  g_free (self->log);
  g_free (self);
}

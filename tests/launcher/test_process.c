/* wsaudio - tests: supervised processes (*.process files) and
 * `wsaudio health`, on the real binary
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The supervised program is tests/launcher/supervised.sh, which exits at
 * once, sleeps, or sleeps ignoring SIGTERM, and writes its pid to a file
 * once it is set up.  The tests wait on log lines and files, never on time.
 */
#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <gio/gunixsocketaddress.h>
#include <errno.h>
#include <signal.h>

#include "launcher-process.h"
#include "launcher-test-util.h"

#define TIMEOUT 5000
#define SCRIPT LAUNCHER_TEST_DIR "/supervised.sh"
#define LISTENING "wsaudio: http: listening on "
#define LIVE_PIPELINE "[pipeline]\nlaunch = audiotestsrc is-live=true " \
  "samplesperbuffer=441 ! fakesink\n"

/* Writes NAME.process running supervised.sh with @args (pid file
 * NAME.pid when @pidfile), then @extra lines. */
static gchar *
write_process (const gchar * name, const gchar * args, gboolean pidfile,
    const gchar * extra)
{
  g_autofree gchar *file = g_strdup_printf ("%s.process", name);
  g_autofree gchar *pid = g_strdup_printf ("%s/%s.pid",
      launcher_test_tmpdir (), name);
  g_autofree gchar *quoted = g_shell_quote (pid);
  g_autofree gchar *text = g_strdup_printf ("[process]\n"
      "exec = sh %s %s %s\n%s", SCRIPT, args, pidfile ? quoted : "",
      extra ? extra : "");

  return launcher_test_write (file, text);
}

/* The pid NAME.pid holds, once it is there. */
static gint
wait_pid_file (const gchar * name)
{
  g_autofree gchar *path = g_strdup_printf ("%s/%s.pid",
      launcher_test_tmpdir (), name);
  g_autofree gchar *text = NULL;

  fail_unless (WSA_TEST_WAIT_UNTIL (g_file_get_contents (path, &text, NULL,
              NULL), TIMEOUT), "no %s", path);
  return atoi (text);
}

static void
remove_pid_file (const gchar * name)
{
  g_autofree gchar *path = g_strdup_printf ("%s/%s.pid",
      launcher_test_tmpdir (), name);

  g_unlink (path);
}

/* The pid= field of line @index. */
static gint
line_pid (LauncherProcess * proc, guint index)
{
  const gchar *pid = strstr (launcher_process_line (proc, index), " pid=");

  fail_unless (pid != NULL, "no pid in %s", launcher_process_line (proc,
          index));
  return atoi (pid + strlen (" pid="));
}

static gboolean
process_exists (gint pid)
{
  return kill (pid, 0) == 0 || errno != ESRCH;
}

static void
expect_exit (LauncherProcess * proc, guint timeout_ms, gint expected)
{
  gint status = -1;

  fail_unless (launcher_process_wait_exit (proc, timeout_ms, &status),
      "wsaudio still running after %u ms", timeout_ms);
  fail_unless_equals_int (status, expected);
}

/* ------------------------------------------------------------------ */
/* HTTP */

/* ADDR:PORT from the "listening on http://ADDR:PORT/" line. */
static gchar *
wait_http_address (LauncherProcess * proc)
{
  guint line = launcher_process_expect_line (proc, LISTENING, 0, TIMEOUT);
  const gchar *uri = strstr (launcher_process_line (proc, line), LISTENING)
      + strlen (LISTENING) + strlen ("http://");

  return g_strndup (uri, strlen (uri) - 1);
}

static guint
http_get (const gchar * address, const gchar * path, gchar ** body)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *uri = g_strdup_printf ("http://%s%s", address, path);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes =
      soup_session_send_and_read (session, msg, NULL, &error);

  g_assert_no_error (error);
  *body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return soup_message_get_status (msg);
}

static void
assert_contains (const gchar * text, const gchar * needle)
{
  fail_unless (strstr (text, needle) != NULL, "\"%s\" not in:\n%s", needle,
      text);
}

/* ------------------------------------------------------------------ */
/* Restarts */

GST_START_TEST (test_restart_backoff)
{
  g_autofree gchar *file = write_process ("flaky", "exit 3", FALSE,
      "restart-delay = 100ms\nrestart-max-delay = 400ms\n");
  g_autoptr (LauncherProcess) proc = launcher_process_spawn ("run", file, NULL);
  const gchar *delays[] = { "100ms", "200ms", "400ms", "400ms" };
  guint i, at = 0;

  launcher_process_expect_line (proc, "process=flaky state=running "
      "restarts=0 ", 0, TIMEOUT);
  /* Each attempt: one "restarting" line with the exit and a delay that
   * doubles up to restart-max-delay, then the restart itself. */
  for (i = 0; i < G_N_ELEMENTS (delays); i++) {
    g_autofree gchar *restarting = g_strdup_printf ("process=flaky "
        "state=restarting restarts=%u ", i + 1);
    g_autofree gchar *reason = g_strdup_printf ("reason=\"exited with "
        "status 3; restart %u in %s\"", i + 1, delays[i]);
    g_autofree gchar *running = g_strdup_printf ("process=flaky "
        "state=running restarts=%u ", i + 1);
    g_autofree gchar *restart = g_strdup_printf ("reason=\"restart %u\"",
        i + 1);

    at = launcher_process_expect_line (proc, restarting, at, TIMEOUT);
    fail_unless (strstr (launcher_process_line (proc, at), reason),
        "\"%s\" not in \"%s\"", reason, launcher_process_line (proc, at));
    at = launcher_process_expect_line (proc, running, at, TIMEOUT);
    fail_unless (g_str_has_suffix (launcher_process_line (proc, at),
            restart), "%s", launcher_process_line (proc, at));
  }
  launcher_process_signal (proc, SIGTERM);
  expect_exit (proc, 2000, 0);
}

GST_END_TEST;

GST_START_TEST (test_sigkill_restarts)
{
  g_autofree gchar *file = write_process ("keeper", "sleep", TRUE,
      "restart-delay = 100ms\n");
  g_autoptr (LauncherProcess) proc = launcher_process_spawn ("run", file, NULL);
  g_autofree gchar *restarting = NULL;
  guint at;
  gint pid, again;

  at = launcher_process_expect_line (proc, "process=keeper state=running "
      "restarts=0 pid=", 0, TIMEOUT);
  pid = line_pid (proc, at);
  fail_unless_equals_int (wait_pid_file ("keeper"), pid);
  remove_pid_file ("keeper");

  fail_unless (kill (pid, SIGKILL) == 0);
  restarting = g_strdup_printf ("process=keeper state=restarting restarts=1 "
      "pid=%d reason=\"killed by signal 9 (SIGKILL); restart 1 in 100ms\"",
      pid);
  at = launcher_process_expect_line (proc, restarting, at, TIMEOUT);
  fail_if (process_exists (pid), "not reaped (a zombie)");
  at = launcher_process_expect_line (proc, "process=keeper state=running "
      "restarts=1 pid=", at, TIMEOUT);
  again = line_pid (proc, at);
  fail_unless (again != pid);
  fail_unless_equals_int (wait_pid_file ("keeper"), again);
  fail_unless (process_exists (again));

  launcher_process_signal (proc, SIGTERM);
  expect_exit (proc, 2000, 0);
  fail_if (process_exists (again), "the child outlived wsaudio");
}

GST_END_TEST;

/* As PID 1 of a PID namespace (as in a container), wsaudio still reaps
 * and restarts its children. */
GST_START_TEST (test_as_pid1)
{
  g_autofree gchar *file = write_process ("keeper", "sleep", TRUE,
      "restart-delay = 100ms\n");
  const gchar *argv[] = { "unshare", "--pid", "--fork", "--kill-child",
    launcher_binary (), "run", file, NULL
  };
  g_autoptr (LauncherProcess) proc = NULL;
  g_autofree gchar *wsaudio = NULL;
  g_autofree gchar *child = NULL;
  g_autofree gchar *again = NULL;
  g_autofree gchar *restarting = NULL;
  guint at;

  if (!launcher_unshare_usable ()) {
    g_printerr ("SKIP: unshare --pid does not work here\n");
    return;
  }
  proc = launcher_process_spawnv (argv);
  at = launcher_process_expect_line (proc, "process=keeper state=running "
      "restarts=0 pid=", 0, TIMEOUT);
  wait_pid_file ("keeper");
  /* Pids outside the namespace: unshare > wsaudio > the supervised sh. */
  wsaudio = launcher_children_of (launcher_process_pid (proc));
  fail_unless (wsaudio != NULL && *wsaudio != '\0');
  child = launcher_children_of (wsaudio);
  fail_unless (child != NULL && *child != '\0');

  /* The log gives pids inside the namespace. */
  restarting = g_strdup_printf ("process=keeper state=restarting restarts=1 "
      "pid=%d reason=\"killed by signal 9 (SIGKILL); restart 1 in 100ms\"",
      line_pid (proc, at));
  fail_unless (kill (atoi (child), SIGKILL) == 0);
  at = launcher_process_expect_line (proc, restarting, at, TIMEOUT);
  fail_if (process_exists (atoi (child)), "not reaped (a zombie)");
  launcher_process_expect_line (proc, "process=keeper state=running "
      "restarts=1 ", at, TIMEOUT);
  again = launcher_children_of (wsaudio);
  fail_unless (again != NULL && *again != '\0' && !g_str_equal (again, child));

  fail_unless (kill (atoi (wsaudio), SIGTERM) == 0);
  expect_exit (proc, 2000, 0);
  launcher_process_expect_line (proc, "wsaudio: stopped", 0, TIMEOUT);
  fail_if (process_exists (atoi (again)));
}

GST_END_TEST;

/* Like pipelines, wsaudio ends when every process has ended for good. */
GST_START_TEST (test_run_until_done)
{
  g_autofree gchar *done = write_process ("done", "exit 0", FALSE,
      "restart = on-failure\n");
  g_autofree gchar *broken = NULL;
  g_autofree gchar *out = NULL, *err = NULL;

  fail_unless_equals_int (launcher_run (&out, &err, "run", done, NULL), 0);
  assert_contains (err, "process=done state=finished restarts=0 ");
  assert_contains (err, "reason=\"exited with status 0\"\n"
      "wsaudio: nothing left to run, exiting\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  broken = write_process ("broken", "exit 2", FALSE, "restart = never\n");
  fail_unless_equals_int (launcher_run (&out, &err, "run", done, broken,
          NULL), 70);
  assert_contains (err, "process=broken state=failed restarts=0 ");
  assert_contains (err, "reason=\"exited with status 2\"\n");
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Readiness */

/* A unix socket listening on @path. */
static GSocket *
listen_unix (const gchar * path)
{
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_DEFAULT, NULL);

  fail_unless (socket != NULL);
  fail_unless (g_socket_bind (socket, address, TRUE, NULL));
  fail_unless (g_socket_listen (socket, NULL));
  return socket;
}

/* The live pipeline plays, and it started after line @after. */
static void
expect_pipeline_started_after (LauncherProcess * proc, guint after)
{
  guint first_line;

  launcher_process_expect_line (proc, "pipeline=live state=playing", 0,
      TIMEOUT);
  first_line = launcher_process_expect_line (proc, "pipeline=live", 0,
      TIMEOUT);
  fail_unless (first_line > after, "the pipeline started too early:\n%s",
      launcher_process_dump (proc));
}

/* Runs a daemon.process with ready-socket = @value (and @keys) beside
 * live.pipeline. */
static LauncherProcess *
run_with_daemon (const gchar * value, const gchar * keys)
{
  g_autofree gchar *extra = g_strdup_printf ("ready-socket = %s\n%s", value,
      keys);
  g_autofree gchar *daemon = write_process ("daemon", "sleep", TRUE, extra);
  g_autofree gchar *live = launcher_test_write ("live.pipeline",
      LIVE_PIPELINE);

  return launcher_process_spawn ("run", launcher_test_tmpdir (), NULL);
}

/* The pipelines start once the process's ready-socket accepts connections
 * (a daemon they are clients of), not before. */
GST_START_TEST (test_pipelines_wait_for_ready_socket)
{
  g_autofree gchar *sock = g_build_filename (launcher_test_tmpdir (),
      "daemon.sock", NULL);
  g_autofree gchar *value = g_strdup_printf ("unix:%s", sock);
  g_autofree gchar *waits = g_strdup_printf ("wsaudio: the pipelines wait "
      "for daemon (ready-socket %s), at most 10s", sock);
  g_autoptr (LauncherProcess) proc = run_with_daemon (value, "");
  g_autoptr (GSocket) listener = NULL;
  g_autofree gchar *ready_line = NULL;

  launcher_process_expect_line (proc, waits, 0, TIMEOUT);
  ready_line = g_strdup_printf ("process=daemon state=running restarts=0 "
      "pid=%d reason=\"ready: %s accepts connections, ",
      wait_pid_file ("daemon"), sock);
  listener = listen_unix (sock);
  expect_pipeline_started_after (proc, launcher_process_expect_line (proc,
          ready_line, 0, TIMEOUT));
}

GST_END_TEST;

/* A ready-socket that never accepts holds the pipelines back only for
 * ready-timeout. */
GST_START_TEST (test_ready_timeout)
{
  g_autofree gchar *sock = g_build_filename (launcher_test_tmpdir (),
      "never.sock", NULL);
  g_autofree gchar *late = g_strdup_printf ("wsaudio: not ready in time: "
      "daemon (ready-socket %s); starting the pipelines anyway", sock);
  g_autoptr (LauncherProcess) proc = run_with_daemon (sock,
      "ready-timeout = 300ms\n");

  expect_pipeline_started_after (proc, launcher_process_expect_line (proc,
          late, 0, TIMEOUT));
  fail_unless_equals_int (launcher_process_count_lines (proc, "ready:", 0),
      0);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* Signals */

/* Pipelines and processes stop; one ignoring SIGTERM gets SIGKILL after
 * its stop-timeout, and wsaudio exits 0 once every child is reaped. */
GST_START_TEST (test_sigterm_stops_all)
{
  g_autofree gchar *live = launcher_test_write ("live.pipeline",
      LIVE_PIPELINE);
  g_autofree gchar *stubborn = write_process ("stubborn", "ignore-term",
      TRUE, "stop-timeout = 300ms\n");
  g_autofree gchar *polite = write_process ("polite", "sleep", TRUE, NULL);
  g_autoptr (LauncherProcess) proc =
      launcher_process_spawn ("run", launcher_test_tmpdir (), NULL);
  g_autofree gchar *line = NULL;
  gint stubborn_pid, polite_pid;
  gint64 sent_at, took_us;

  launcher_process_expect_line (proc, "pipeline=live state=playing", 0,
      TIMEOUT);
  stubborn_pid = wait_pid_file ("stubborn");
  polite_pid = wait_pid_file ("polite");

  sent_at = g_get_monotonic_time ();
  launcher_process_signal (proc, SIGTERM);
  expect_exit (proc, 2000, 0);
  took_us = g_get_monotonic_time () - sent_at;
  fail_unless (took_us >= 300 * 1000 && took_us < 2 * G_USEC_PER_SEC,
      "exit %" G_GINT64_FORMAT " us after SIGTERM", took_us);

  launcher_process_expect_line (proc, "pipeline=live state=stopped "
      "restarts=0 reason=\"shutting down\"", 0, TIMEOUT);
  line = g_strdup_printf ("process=stubborn state=stopping restarts=0 pid=%d "
      "reason=\"shutting down: sent SIGTERM\"", stubborn_pid);
  launcher_process_expect_line (proc, line, 0, TIMEOUT);
  g_free (line);
  line = g_strdup_printf ("process=stubborn state=stopping restarts=0 pid=%d "
      "reason=\"shutting down: still running 300ms after SIGTERM, sending "
      "SIGKILL\"", stubborn_pid);
  launcher_process_expect_line (proc, line, 0, TIMEOUT);
  g_free (line);
  line = g_strdup_printf ("process=stubborn state=stopped restarts=0 pid=%d "
      "reason=\"shutting down: killed by signal 9 (SIGKILL)\"", stubborn_pid);
  launcher_process_expect_line (proc, line, 0, TIMEOUT);
  g_free (line);
  line = g_strdup_printf ("process=polite state=stopped restarts=0 pid=%d "
      "reason=\"shutting down: killed by signal 15 (SIGTERM)\"", polite_pid);
  launcher_process_expect_line (proc, line, 0, TIMEOUT);
  launcher_process_expect_line (proc, "wsaudio: stopped", 0, TIMEOUT);
  /* Reaped by wsaudio before it exited. */
  fail_if (process_exists (stubborn_pid));
  fail_if (process_exists (polite_pid));
}

GST_END_TEST;

GST_START_TEST (test_sighup)
{
  g_autofree gchar *a = write_process ("a", "sleep", TRUE, NULL);
  g_autofree gchar *b = write_process ("b", "sleep", TRUE, NULL);
  g_autofree gchar *c = write_process ("c", "sleep", TRUE, NULL);
  g_autofree gchar *d = NULL;
  g_autoptr (LauncherProcess) proc =
      launcher_process_spawn ("run", launcher_test_tmpdir (), NULL);
  g_autofree gchar *b_stopped = NULL;
  g_autofree gchar *c_stopped = NULL;
  guint mark, stopped_at, started_at;
  gint old_b, c_pid;

  wait_pid_file ("a");
  old_b = wait_pid_file ("b");
  c_pid = wait_pid_file ("c");

  /* b changes, c goes away, d comes; a stays as it is. */
  g_free (write_process ("b", "sleep", TRUE, "description = changed\n"));
  fail_unless (g_unlink (c) == 0);
  d = write_process ("d", "sleep", TRUE, NULL);
  mark = launcher_process_n_lines (proc);
  launcher_process_signal (proc, SIGHUP);
  launcher_process_expect_line (proc, "reloaded: 1 unchanged, 1 restarted, "
      "1 started, 1 stopped", mark, TIMEOUT);
  b_stopped = g_strdup_printf ("process=b state=stopped restarts=0 pid=%d "
      "reason=\"file changed: killed by signal 15 (SIGTERM)\"", old_b);
  stopped_at = launcher_process_expect_line (proc, b_stopped, mark, TIMEOUT);
  c_stopped = g_strdup_printf ("process=c state=stopped restarts=0 pid=%d "
      "reason=\"file removed: killed by signal 15 (SIGTERM)\"", c_pid);
  launcher_process_expect_line (proc, c_stopped, mark, TIMEOUT);
  /* The new b starts once the old one is gone. */
  started_at = launcher_process_expect_line (proc, "process=b state=running "
      "restarts=0 ", mark, TIMEOUT);
  fail_unless (started_at > stopped_at);
  fail_if (line_pid (proc, started_at) == old_b);
  launcher_process_expect_line (proc, "process=d state=running", mark, TIMEOUT);
  fail_unless_equals_int (launcher_process_count_lines (proc, "process=a ",
          mark), 0);

  /* An invalid file is reported; its process keeps running. */
  g_free (write_process ("b", "sleep", TRUE, "frob = 1\n"));
  mark = launcher_process_n_lines (proc);
  launcher_process_signal (proc, SIGHUP);
  launcher_process_expect_line (proc, "reloaded: 2 unchanged, 0 restarted, "
      "0 started, 0 stopped", mark, TIMEOUT);
  launcher_process_expect_line (proc, "b.process:3: unknown key 'frob' "
      "(not reloaded)", mark, TIMEOUT);
  fail_unless_equals_int (launcher_process_count_lines (proc, "process=",
          mark), 0);

  launcher_process_signal (proc, SIGTERM);
  expect_exit (proc, 2000, 0);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* /healthz, /metrics and `wsaudio health` */

GST_START_TEST (test_health)
{
  g_autofree gchar *keeper = write_process ("keeper", "sleep", TRUE, NULL);
  g_autofree gchar *live = launcher_test_write ("live.pipeline",
      LIVE_PIPELINE);
  g_autoptr (LauncherProcess) proc = launcher_process_spawn ("--http",
      "127.0.0.1:0", "run", launcher_test_tmpdir (), NULL);
  g_autofree gchar *address = wait_http_address (proc);
  g_autofree gchar *any = g_strdup (strrchr (address, ':'));
  g_autofree gchar *out = NULL, *err = NULL, *body = NULL;
  g_autofree gchar *once = NULL;
  g_autofree gchar *keeper_json = NULL;
  gint keeper_pid;

  launcher_process_expect_line (proc, "pipeline=live state=playing", 0,
      TIMEOUT);
  keeper_pid = wait_pid_file ("keeper");
  fail_unless_equals_int (launcher_run (&out, &err, "health", address, NULL),
      0);
  assert_contains (out, "{\"status\":\"ok\",\"pipelines\":[{\"name\":"
      "\"live\",");
  keeper_json = g_strdup_printf ("\"processes\":[{\"name\":\"keeper\","
      "\"file\":\"%s\",\"state\":\"running\",\"restarts\":0,\"pid\":%d,"
      "\"reason\":\"started\"}]}\n", keeper, keeper_pid);
  fail_unless (g_str_has_suffix (out, keeper_json), "%s", out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* ":PORT", as given to --http for all interfaces, means the loopback. */
  fail_unless_equals_int (launcher_run (&out, &err, "health", any, NULL), 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A process that fails with restart = never: failed, and failing. */
  once = write_process ("once", "exit 1", FALSE, "restart = never\n");
  launcher_process_signal (proc, SIGHUP);
  launcher_process_expect_line (proc, "process=once state=failed restarts=0 ",
      0, TIMEOUT);
  fail_unless_equals_int (http_get (address, "/healthz", &body), 503);
  assert_contains (body, "{\"status\":\"failing\",");
  assert_contains (body, "{\"name\":\"once\",\"file\":");
  assert_contains (body, "\"state\":\"failed\",\"restarts\":0,\"pid\":null,"
      "\"reason\":\"exited with status 1\"}");
  g_clear_pointer (&body, g_free);
  fail_unless_equals_int (http_get (address, "/metrics", &body), 200);
  assert_contains (body, "# TYPE wsaudio_process_state gauge\n");
  assert_contains (body,
      "wsaudio_process_state{process=\"once\",state=\"failed\"} 1\n");
  assert_contains (body,
      "wsaudio_process_state{process=\"keeper\",state=\"running\"} 1\n");
  assert_contains (body, "# TYPE wsaudio_process_restarts_total counter\n");
  assert_contains (body,
      "wsaudio_process_restarts_total{process=\"keeper\"} 0\n");
  fail_unless_equals_int (launcher_run (&out, &err, "health", address, NULL),
      1);
  fail_unless (g_str_has_prefix (out, "HTTP 503 Service Unavailable: "
          "{\"status\":\"failing\","), "%s", out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Nothing listens any more. */
  launcher_process_signal (proc, SIGTERM);
  expect_exit (proc, 2000, 0);
  fail_unless_equals_int (launcher_run (&out, &err, "health", address, NULL),
      1);
  fail_unless_equals_string (out, "");
  assert_contains (err, "wsaudio: health: http://");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  fail_unless_equals_int (launcher_run (&out, &err, "health", "nowhere",
          NULL), 64);
}

GST_END_TEST;

/* ------------------------------------------------------------------ */
/* check, print, run on invalid files */

static void
expect_check (const gchar * path, gint status, const gchar * expected_err)
{
  g_autofree gchar *out = NULL, *err = NULL;

  fail_unless_equals_int (launcher_run (&out, &err, "check", path, NULL),
      status);
  fail_unless_equals_string (err, expected_err);
}

GST_START_TEST (test_check)
{
  g_autofree gchar *bad = launcher_test_write ("bad.process", "[process]\n"
      "exec = wsa-no-such-program --flag\nfrob = 1\nrestart = sometimes\n"
      "stop-timeout = soon\n");
  g_autofree gchar *missing = launcher_test_write ("missing.process",
      "[process]\nexec = ./missing.sh\n");
  g_autofree gchar *plain = launcher_test_write ("plain.sh", "#!/bin/sh\n");
  g_autofree gchar *noexec = launcher_test_write ("noexec.process",
      "[process]\nexec = ./plain.sh\n");
  g_autofree gchar *group = launcher_test_write ("group.process",
      "[pipeline]\nlaunch = fakesrc ! fakesink\n");
  g_autofree gchar *tcp = launcher_test_write ("tcp.process",
      "[process]\nexec = sh\nready-socket = tcp:127.0.0.1:4713\n");
  g_autofree gchar *expected = NULL;
  g_autofree gchar *out = NULL, *err = NULL;

  expected = g_strdup_printf ("ERROR: %s:3: unknown key 'frob'\n"
      "ERROR: %s:2: key 'exec': program 'wsa-no-such-program' not found in "
      "PATH\n"
      "ERROR: %s:4: key 'restart': invalid value \"sometimes\" (expected "
      "always, on-failure or never)\n"
      "ERROR: %s:5: key 'stop-timeout': invalid duration \"soon\" (expected "
      "a number of seconds, or a number followed by ms, s or m, e.g. "
      "500ms)\n", bad, bad, bad, bad);
  expect_check (bad, 78, expected);
  g_free (expected);
  expected = g_strdup_printf ("ERROR: %s:2: key 'exec': program '%s/"
      "missing.sh' does not exist\n", missing, launcher_test_tmpdir ());
  expect_check (missing, 78, expected);
  g_free (expected);
  expected = g_strdup_printf ("ERROR: %s:2: key 'exec': program '%s/"
      "plain.sh' is not executable\n", noexec, launcher_test_tmpdir ());
  expect_check (noexec, 78, expected);
  g_free (expected);
  expected = g_strdup_printf ("ERROR: %s:1: unknown group [pipeline] (only "
      "[process] is allowed)\nERROR: %s: no [process] group\n", group, group);
  expect_check (group, 78, expected);
  g_free (expected);
  expected = g_strdup_printf ("ERROR: %s:3: key 'ready-socket': "
      "\"tcp:127.0.0.1:4713\" is not a unix socket (an absolute path, or "
      "unix:PATH)\n", tcp);
  expect_check (tcp, 78, expected);

  /* Nothing starts when a file is invalid. */
  fail_unless_equals_int (launcher_run (&out, &err, "run", missing, NULL), 78);
  fail_if (strstr (err, "state="), "%s", err);
}

GST_END_TEST;

/* exec: ${VAR} expansion, shell quoting, a program relative to the file. */
GST_START_TEST (test_check_and_print)
{
  g_autofree gchar *script = launcher_test_write ("hello.sh", "#!/bin/sh\n"
      "exec sleep 600\n");
  g_autofree gchar *file = launcher_test_write ("hello.process", "[process]\n"
      "name = greeter\n"
      "exec = ./hello.sh \"${WSA_TEST_WORDS:-hi there}\" ${WSA_TEST_ONE}\n");
  g_autofree gchar *out = NULL, *err = NULL;
  g_autofree gchar *expected = NULL;

  fail_unless (g_chmod (script, 0755) == 0);
  g_setenv ("WSA_TEST_ONE", "one", TRUE);
  fail_unless_equals_int (launcher_run (&out, &err, "check",
          launcher_test_tmpdir (), NULL), 0);
  expected = g_strdup_printf ("OK: %s: process 'greeter'\n", file);
  fail_unless_equals_string (out, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&expected, g_free);

  fail_unless_equals_int (launcher_run (&out, &err, "print", file, NULL), 0);
  expected = g_strdup_printf ("%s/hello.sh 'hi there' one\n",
      launcher_test_tmpdir ());
  fail_unless_equals_string (out, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&expected, g_free);

  g_unsetenv ("WSA_TEST_ONE");
  fail_unless_equals_int (launcher_run (&out, &err, "print", file, NULL), 78);
  expected = g_strdup_printf ("ERROR: %s:3: key 'exec': environment "
      "variable WSA_TEST_ONE is not set and has no default "
      "(write ${WSA_TEST_ONE:-default})\n", file);
  fail_unless_equals_string (err, expected);
}

GST_END_TEST;

static Suite *
process_suite (void)
{
  Suite *s = suite_create ("process");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, launcher_test_setup_tmpdir,
      launcher_test_teardown_tmpdir);
  tcase_add_test (tc, test_restart_backoff);
  tcase_add_test (tc, test_sigkill_restarts);
  tcase_add_test (tc, test_as_pid1);
  tcase_add_test (tc, test_run_until_done);
  tcase_add_test (tc, test_pipelines_wait_for_ready_socket);
  tcase_add_test (tc, test_ready_timeout);
  tcase_add_test (tc, test_sigterm_stops_all);
  tcase_add_test (tc, test_sighup);
  tcase_add_test (tc, test_health);
  tcase_add_test (tc, test_check);
  tcase_add_test (tc, test_check_and_print);
  return s;
}

GST_CHECK_MAIN (process);

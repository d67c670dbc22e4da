/* wsaudio - launcher tests: the real wsaudio binary in a child process
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "launcher-process.h"

#include "wsa-test-wait.h"

#include <gst/check/gstcheck.h>
#include <signal.h>

struct _LauncherProcess
{
  GSubprocess *process;
  GDataInputStream *stderr_lines;
  GCancellable *cancellable;
  GPtrArray *lines;
  gboolean exited;
  gboolean eof;
};

const gchar *
launcher_binary (void)
{
  return WSAUDIO_PATH;
}

static GPtrArray *
collect_args (const gchar * first_arg, va_list args)
{
  GPtrArray *argv = g_ptr_array_new ();
  const gchar *arg;

  g_ptr_array_add (argv, (gpointer) WSAUDIO_PATH);
  for (arg = first_arg; arg; arg = va_arg (args, const gchar *)) {
    g_ptr_array_add (argv, (gpointer) arg);
  }
  g_ptr_array_add (argv, NULL);
  return argv;
}

static void read_next_line (LauncherProcess * self);

static void
on_line (GObject * source, GAsyncResult * result, gpointer user_data)
{
  LauncherProcess *self = user_data;
  g_autoptr (GError) error = NULL;
  gchar *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM
      (source), result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL) {
    self->eof = TRUE;
    return;
  }
  g_ptr_array_add (self->lines, line);
  read_next_line (self);
}

static void
read_next_line (LauncherProcess * self)
{
  g_data_input_stream_read_line_async (self->stderr_lines,
      G_PRIORITY_DEFAULT, self->cancellable, on_line, self);
}

static void
on_process_exit (GObject * source, GAsyncResult * result, gpointer user_data)
{
  LauncherProcess *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->exited = TRUE;
}

LauncherProcess *
launcher_process_spawnv (const gchar * const *argv)
{
  LauncherProcess *self = g_new0 (LauncherProcess, 1);
  g_autoptr (GError) error = NULL;

  self->process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_PIPE
      | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  self->lines = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
  self->stderr_lines =
      g_data_input_stream_new (g_subprocess_get_stderr_pipe (self->process));
  read_next_line (self);
  g_subprocess_wait_async (self->process, self->cancellable, on_process_exit,
      self);
  return self;
}

LauncherProcess *
launcher_process_spawn (const gchar * first_arg, ...)
{
  g_autoptr (GPtrArray) argv = NULL;
  va_list args;

  va_start (args, first_arg);
  argv = collect_args (first_arg, args);
  va_end (args);
  return launcher_process_spawnv ((const gchar * const *) argv->pdata);
}

const gchar *
launcher_process_pid (LauncherProcess * self)
{
  return g_subprocess_get_identifier (self->process);
}

void
launcher_process_free (LauncherProcess * self)
{
  if (!self->exited) {
    g_subprocess_force_exit (self->process);
    g_subprocess_wait (self->process, NULL, NULL);
  }
  g_cancellable_cancel (self->cancellable);
  /* Let the cancelled operations finish before freeing their data. */
  while (g_main_context_iteration (NULL, FALSE));
  g_object_unref (self->stderr_lines);
  g_object_unref (self->process);
  g_object_unref (self->cancellable);
  g_ptr_array_unref (self->lines);
  g_free (self);
}

static gint
find_line (LauncherProcess * self, const gchar * needle, guint from)
{
  guint i;

  for (i = from; i < self->lines->len; i++)
    if (strstr (g_ptr_array_index (self->lines, i), needle))
      return (gint) i;
  return -1;
}

gint
launcher_process_wait_line (LauncherProcess * self, const gchar * needle,
    guint from, guint timeout_ms)
{
  gint index = -1;

  WSA_TEST_WAIT_UNTIL ((index = find_line (self, needle, from)) >= 0,
      timeout_ms);
  return index;
}

guint
launcher_process_expect_line (LauncherProcess * self, const gchar * needle,
    guint from, guint timeout_ms)
{
  gint index = launcher_process_wait_line (self, needle, from, timeout_ms);
  g_autofree gchar *dump = NULL;

  if (index >= 0)
    return (guint) index;
  dump = launcher_process_dump (self);
  fail ("no line \"%s\" in time\n%s", needle, dump);
  return 0;
}

guint
launcher_process_count_lines (LauncherProcess * self, const gchar * needle,
    guint from)
{
  guint i, n = 0;

  for (i = from; i < self->lines->len; i++)
    n += strstr (g_ptr_array_index (self->lines, i), needle) != NULL;
  return n;
}

guint
launcher_process_n_lines (LauncherProcess * self)
{
  return self->lines->len;
}

const gchar *
launcher_process_line (LauncherProcess * self, guint index)
{
  return g_ptr_array_index (self->lines, index);
}

gchar *
launcher_process_dump (LauncherProcess * self)
{
  GString *out = g_string_new ("wsaudio stderr:\n");
  guint i;

  for (i = 0; i < self->lines->len; i++)
    g_string_append_printf (out, "  %s\n",
        (gchar *) g_ptr_array_index (self->lines, i));
  return g_string_free (out, FALSE);
}

void
launcher_process_signal (LauncherProcess * self, gint signum)
{
  g_subprocess_send_signal (self->process, signum);
}

gboolean
launcher_process_wait_exit (LauncherProcess * self, guint timeout_ms,
    gint * status)
{
  if (!WSA_TEST_WAIT_UNTIL (self->exited, timeout_ms))
    return FALSE;
  /* Read what is left of stderr. */
  WSA_TEST_WAIT_UNTIL (self->eof, 1000);
  if (g_subprocess_get_if_exited (self->process))
    *status = g_subprocess_get_exit_status (self->process);
  else
    *status = 128 + g_subprocess_get_term_sig (self->process);
  return TRUE;
}

gint
launcher_run (gchar ** out, gchar ** err, const gchar * first_arg, ...)
{
  g_autoptr (GPtrArray) argv = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  va_list args;

  va_start (args, first_arg);
  argv = collect_args (first_arg, args);
  va_end (args);
  process = g_subprocess_newv ((const gchar * const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

gboolean
launcher_unshare_usable (void)
{
  g_autofree gchar *unshare = g_find_program_in_path ("unshare");
  gint status = -1;

  if (unshare == NULL)
    return FALSE;
  return g_spawn_command_line_sync ("unshare --pid --fork true", NULL, NULL,
      &status, NULL) && g_spawn_check_wait_status (status, NULL);
}

gchar *
launcher_children_of (const gchar * pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%s/task/%s/children",
      pid, pid);
  g_autofree gchar *children = NULL;

  if (!g_file_get_contents (path, &children, NULL, NULL))
    return NULL;
  return g_strdup (g_strstrip (children));
}

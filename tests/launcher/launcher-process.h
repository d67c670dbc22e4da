/* wsaudio - launcher tests: the real wsaudio binary in a child process
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LauncherProcess LauncherProcess;

/* Spawns WSAUDIO_PATH with the NULL-terminated arguments; stderr lines are
 * collected as they come (on the main context). */
LauncherProcess *launcher_process_spawn (const gchar * first_arg, ...)
    G_GNUC_NULL_TERMINATED;
/* The wsaudio binary under test. */
const gchar *launcher_binary (void);

/* Spawns @argv as it is (argv[0] looked up in PATH). */
LauncherProcess *launcher_process_spawnv (const gchar * const *argv);
void launcher_process_free (LauncherProcess * self);
const gchar *launcher_process_pid (LauncherProcess * self);

/* Index of the first stderr line at or after @from holding @needle, waiting
 * up to @timeout_ms; -1 on timeout. */
gint launcher_process_wait_line (LauncherProcess * self, const gchar * needle,
    guint from, guint timeout_ms);
/* Like launcher_process_wait_line(), but fails the test, showing the
 * output so far, on timeout. */
guint launcher_process_expect_line (LauncherProcess * self,
    const gchar * needle, guint from, guint timeout_ms);
/* Lines seen so far holding @needle at or after @from. */
guint launcher_process_count_lines (LauncherProcess * self,
    const gchar * needle, guint from);
guint launcher_process_n_lines (LauncherProcess * self);
const gchar *launcher_process_line (LauncherProcess * self, guint index);
gchar *launcher_process_dump (LauncherProcess * self);

void launcher_process_signal (LauncherProcess * self, gint signum);
/* Waits for the process to exit; FALSE on timeout.  *status is its exit
 * status, or 128 + signal number if killed. */
gboolean launcher_process_wait_exit (LauncherProcess * self,
    guint timeout_ms, gint * status);

/* Runs the binary to completion; returns its exit status and output. */
gint launcher_run (gchar ** out, gchar ** err, const gchar * first_arg, ...)
    G_GNUC_NULL_TERMINATED;

/* Whether `unshare --pid --fork` works here (it needs privileges). */
gboolean launcher_unshare_usable (void);
/* The pids of the children of process @pid, space-separated, or NULL. */
gchar *launcher_children_of (const gchar * pid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LauncherProcess, launcher_process_free)

G_END_DECLS

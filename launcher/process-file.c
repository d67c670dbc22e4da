/* wsaudio - process files
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A process file is a key file with a single [process] group describing a
 * program that wsaudio runs and restarts (see "Supervised processes" in
 * PIPELINE-FILES.md).  Loading reads and checks it like a pipeline file
 * (keyfile-loader.c), splits the expanded exec line with g_shell_parse_argv
 * and resolves the program: a path with a '/' is taken relative to the
 * file's directory, a bare name is looked up in PATH.  A program that does
 * not exist or is not executable is a problem of the file, reported by
 * `wsaudio check` and refused by `run` and SIGHUP.  ready-socket takes a
 * unix socket path as an absolute path or as unix:PATH, the form of
 * PULSE_SERVER, so that a process file can name the daemon's socket with
 * the variable its clients use.
 */
#include "process-file.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define GROUP "process"

static const gchar *const known_keys[] = {
  "name", "description", "exec", "restart", "restart-delay",
  "restart-max-delay", "stop-timeout", "ready-socket", "ready-timeout", NULL
};

gboolean
wsa_is_process_file (const gchar * path)
{
  return g_str_has_suffix (path, WSA_PROCESS_FILE_SUFFIX);
}

/* Why @path cannot be run, or NULL if it can. */
static gchar *
check_executable (const gchar * path)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_strdup_printf ("program '%s' does not exist", path);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_strdup_printf ("program '%s' is a directory", path);
  if (g_access (path, X_OK) != 0)
    return g_strdup_printf ("program '%s' is not executable", path);
  return NULL;
}

/* The program to run, or NULL after recording why there is none. */
static gchar *
resolve_program (WsaKeyfileLoader * loader, const gchar * program)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *what = NULL;

  if (strchr (program, '/') == NULL) {
    path = g_find_program_in_path (program);
    if (path == NULL)
      what = g_strdup_printf ("program '%s' not found in PATH", program);
  } else {
    g_autofree gchar *dir =
        g_path_get_dirname (wsa_keyfile_loader_get_path (loader));
    g_autofree gchar *base = g_canonicalize_filename (dir, NULL);

    path = g_canonicalize_filename (program, base);
    what = check_executable (path);
  }
  if (what == NULL)
    return g_steal_pointer (&path);
  wsa_keyfile_loader_key_problem (loader, "exec", what);
  return NULL;
}

static void
load_exec (WsaKeyfileLoader * loader, WsaProcessConfig * config)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;
  gchar *program;

  config->exec = wsa_keyfile_loader_get_required (loader, "exec");
  if (config->exec == NULL)
    return;
  if (g_strstrip (config->exec)[0] == '\0') {
    wsa_keyfile_loader_key_problem (loader, "exec", "the command is empty");
    return;
  }
  if (!g_shell_parse_argv (config->exec, NULL, &argv, &error)) {
    wsa_keyfile_loader_key_problem (loader, "exec", error->message);
    return;
  }
  program = resolve_program (loader, argv[0]);
  if (program == NULL)
    return;
  g_free (argv[0]);
  argv[0] = program;
  config->argv = g_steal_pointer (&argv);
}

static void
load_ready (WsaKeyfileLoader * loader, WsaProcessConfig * config)
{
  g_autofree gchar *value = wsa_keyfile_loader_get (loader, "ready-socket");
  const gchar *path = value;

  wsa_keyfile_loader_get_duration (loader, "ready-timeout",
      &config->ready_timeout_ms);
  if (value == NULL)
    return;
  if (g_str_has_prefix (path, "unix:"))
    path += strlen ("unix:");
  if (!g_path_is_absolute (path)) {
    g_autofree gchar *what = g_strdup_printf ("\"%s\" is not a unix socket "
        "(an absolute path, or unix:PATH)", value);

    wsa_keyfile_loader_key_problem (loader, "ready-socket", what);
    return;
  }
  config->ready_socket = g_strdup (path);
}

static WsaProcessConfig *
config_new_defaults (const gchar * path)
{
  WsaProcessConfig *config = g_new0 (WsaProcessConfig, 1);

  config->path = g_strdup (path);
  config->restart = WSA_DEFAULT_RESTART;
  config->restart_delay_ms = WSA_DEFAULT_RESTART_DELAY_MS;
  config->restart_max_delay_ms = WSA_DEFAULT_RESTART_MAX_DELAY_MS;
  config->stop_timeout_ms = WSA_DEFAULT_STOP_TIMEOUT_MS;
  config->ready_timeout_ms = WSA_DEFAULT_READY_TIMEOUT_MS;
  return config;
}

WsaProcessConfig *
wsa_process_config_load (const gchar * path, const gchar * const *envp,
    GError ** error)
{
  g_autoptr (WsaKeyfileLoader) loader = NULL;
  g_autoptr (WsaProcessConfig) config = config_new_defaults (path);

  loader = wsa_keyfile_loader_new (path, GROUP, known_keys, envp, error);
  if (loader == NULL)
    return NULL;
  if (wsa_keyfile_loader_has_values (loader)) {
    config->name = wsa_keyfile_loader_get_name (loader,
        WSA_PROCESS_FILE_SUFFIX);
    config->description = wsa_keyfile_loader_get (loader, "description");
    load_exec (loader, config);
    wsa_keyfile_loader_get_restart (loader, &config->restart,
        &config->restart_delay_ms, &config->restart_max_delay_ms);
    wsa_keyfile_loader_get_duration (loader, "stop-timeout",
        &config->stop_timeout_ms);
    load_ready (loader, config);
  }
  if (!wsa_keyfile_loader_finish (loader, error))
    return NULL;
  return g_steal_pointer (&config);
}

void
wsa_process_config_free (WsaProcessConfig * config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  g_free (config->name);
  g_free (config->description);
  g_free (config->exec);
  g_strfreev (config->argv);
  g_free (config->ready_socket);
  g_free (config);
}

gboolean
wsa_process_config_equal (const WsaProcessConfig * a,
    const WsaProcessConfig * b)
{
  return g_strcmp0 (a->path, b->path) == 0
      && g_strcmp0 (a->name, b->name) == 0
      && g_strcmp0 (a->description, b->description) == 0
      && g_strcmp0 (a->exec, b->exec) == 0
      && g_strv_equal ((const gchar * const *) a->argv,
      (const gchar * const *) b->argv)
      && a->restart == b->restart
      && a->restart_delay_ms == b->restart_delay_ms
      && a->restart_max_delay_ms == b->restart_max_delay_ms
      && a->stop_timeout_ms == b->stop_timeout_ms
      && g_strcmp0 (a->ready_socket, b->ready_socket) == 0
      && a->ready_timeout_ms == b->ready_timeout_ms;
}

static gboolean
needs_quotes (const gchar * arg)
{
  const gchar *p;

  if (*arg == '\0')
    return TRUE;
  for (p = arg; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("_-+=/.,:@%", *p))
      return TRUE;
  return FALSE;
}

/* The resolved command, quoted for a shell where needed. */
gchar *
wsa_process_config_command_line (const WsaProcessConfig * config)
{
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; config->argv[i]; i++) {
    g_autofree gchar *quoted = needs_quotes (config->argv[i]) ?
        g_shell_quote (config->argv[i]) : g_strdup (config->argv[i]);

    g_string_append_printf (out, "%s%s", i ? " " : "", quoted);
  }
  return g_string_free (out, FALSE);
}

/* wsaudio - the commands of the command line
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Problems go to stderr, one line each, as "ERROR: FILE:LINE: message";
 * results go to stdout.  Each command returns an exit status (exit-status.h).
 * `health` is the client of a running `run --http`.
 */
#include "commands.h"

#include "config-set.h"
#include "daemon.h"
#include "exit-status.h"
#include "health.h"
#include "http.h"

#include <libsoup/soup.h>

int
wsa_command_run (const gchar * const *paths, const gchar * http_address,
    guint watchdog_s)
{
  g_autoptr (WsaDaemon) daemon = NULL;
  g_autoptr (GInetSocketAddress) address = NULL;
  g_autoptr (GError) error = NULL;

  if (http_address != NULL
      && !wsa_http_parse_address (http_address, &address, &error)) {
    g_printerr ("wsaudio: --http: %s\n", error->message);
    return WSA_EXIT_USAGE;
  }
  daemon = wsa_daemon_new (paths, http_address, watchdog_s);
  return wsa_daemon_run (daemon);
}

/* Parses, expands and builds every pipeline, and checks every process file
 * (its program exists and is executable), without running any. */
int
wsa_command_check (const gchar * const *paths)
{
  g_auto (GStrv) envp = g_get_environ ();
  g_autoptr (WsaConfigSet) set =
      wsa_config_set_load (paths, (const gchar * const *) envp, TRUE);
  guint i;

  for (i = 0; i < set->configs->len; i++) {
    WsaPipelineConfig *config = g_ptr_array_index (set->configs, i);

    g_print ("OK: %s: pipeline '%s'\n", config->path, config->name);
  }
  for (i = 0; i < set->processes->len; i++) {
    WsaProcessConfig *config = g_ptr_array_index (set->processes, i);

    g_print ("OK: %s: process '%s'\n", config->path, config->name);
  }
  for (i = 0; i < set->problems->len; i++)
    g_printerr ("ERROR: %s\n", (gchar *) g_ptr_array_index (set->problems, i));
  if (set->missing_input)
    return WSA_EXIT_NOINPUT;
  return set->problems->len > 0 ? WSA_EXIT_CONFIG : WSA_EXIT_OK;
}

static int
print_load_error (GError * error)
{
  g_auto (GStrv) lines = g_strsplit (error->message, "\n", -1);
  guint i;

  for (i = 0; lines[i]; i++)
    g_printerr ("ERROR: %s\n", lines[i]);
  return g_error_matches (error, WSA_CONFIG_ERROR,
      WSA_CONFIG_ERROR_NOT_FOUND) ? WSA_EXIT_NOINPUT : WSA_EXIT_CONFIG;
}

static int
print_process (const gchar * path, const gchar * const *envp)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WsaProcessConfig) config =
      wsa_process_config_load (path, envp, &error);
  g_autofree gchar *line = NULL;

  if (config == NULL)
    return print_load_error (error);
  line = wsa_process_config_command_line (config);
  g_print ("%s\n", line);
  return WSA_EXIT_OK;
}

/* Prints the expanded launch line, ready for gst-launch-1.0, or the
 * command of a process file, ready for a shell. */
int
wsa_command_print (const gchar * path)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) envp = g_get_environ ();
  g_autoptr (WsaPipelineConfig) config = NULL;

  if (wsa_is_process_file (path))
    return print_process (path, (const gchar * const *) envp);
  config = wsa_pipeline_config_load (path, (const gchar * const *) envp,
      &error);
  if (config == NULL)
    return print_load_error (error);
  g_print ("%s\n", config->launch);
  return WSA_EXIT_OK;
}

/* Whitespace runs (newlines too) as one space. */
static gchar *
one_line (const gchar * text)
{
  g_auto (GStrv) words = g_strsplit_set (text, " \t\r\n", -1);
  g_autoptr (GString) out = g_string_new (NULL);
  guint i;

  for (i = 0; words[i]; i++)
    if (words[i][0] != '\0')
      g_string_append_printf (out, "%s%s", out->len ? " " : "", words[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* GET /healthz of a running wsaudio: exit 0 on 200, 1 otherwise, with the
 * body (or why there is none) on one line. */
int
wsa_command_health (const gchar * address)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *line = NULL;
  guint status;

  url = wsa_health_url (address ? address : WSA_HEALTH_DEFAULT_ADDRESS, &error);
  if (url == NULL) {
    g_printerr ("wsaudio: health: %s\n", error->message);
    return WSA_EXIT_USAGE;
  }
  if (!wsa_health_get (url, &status, &body, &error)) {
    g_printerr ("wsaudio: health: %s: %s\n", url, error->message);
    return WSA_EXIT_UNHEALTHY;
  }
  line = one_line (body);
  if (status == SOUP_STATUS_OK) {
    g_print ("%s\n", line);
    return WSA_EXIT_OK;
  }
  g_print ("HTTP %u %s: %s\n", status, soup_status_get_phrase (status), line);
  return WSA_EXIT_UNHEALTHY;
}

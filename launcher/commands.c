/* wsaudio - the commands of the command line
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Problems go to stderr, one line each, as "ERROR: FILE:LINE: message";
 * results go to stdout.  Each command returns an exit status (exit-status.h).
 */
#include "commands.h"

#include "config-set.h"
#include "daemon.h"
#include "exit-status.h"
#include "http.h"

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

/* Parses, expands and builds every pipeline, without running any. */
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
  for (i = 0; i < set->problems->len; i++)
    g_printerr ("ERROR: %s\n", (gchar *) g_ptr_array_index (set->problems, i));
  if (set->missing_input)
    return WSA_EXIT_NOINPUT;
  return set->problems->len > 0 ? WSA_EXIT_CONFIG : WSA_EXIT_OK;
}

/* Prints the expanded launch line, ready for gst-launch-1.0. */
int
wsa_command_print (const gchar * path)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) envp = g_get_environ ();
  g_autoptr (WsaPipelineConfig) config =
      wsa_pipeline_config_load (path, (const gchar * const *) envp, &error);

  if (config == NULL) {
    g_auto (GStrv) lines = g_strsplit (error->message, "\n", -1);
    guint i;

    for (i = 0; lines[i]; i++)
      g_printerr ("ERROR: %s\n", lines[i]);
    return g_error_matches (error, WSA_CONFIG_ERROR,
        WSA_CONFIG_ERROR_NOT_FOUND) ? WSA_EXIT_NOINPUT : WSA_EXIT_CONFIG;
  }
  g_print ("%s\n", config->launch);
  return WSA_EXIT_OK;
}

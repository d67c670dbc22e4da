/* wsaudio - runs declarative GStreamer pipelines, restarting what fails
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   wsaudio [OPTION...] run PATH...    run the pipelines and processes (files
 *                                      or directories of *.pipeline and
 *                                      *.process files)
 *   wsaudio [OPTION...] check PATH...  parse, expand and build them, then exit
 *   wsaudio [OPTION...] print FILE     print the expanded launch line
 *   wsaudio health [ADDR:PORT]         GET /healthz of a running wsaudio
 *
 * Exit statuses (sysexits.h): 0 success, 64 usage, 66 a PATH is missing or
 * holds no pipeline or process file, 70 runtime failure, 78 invalid file;
 * `health`: 0 healthy, 1 not.
 */
#include "config.h"

#include "commands.h"
#include "exit-status.h"
#include "health.h"

#include <gst/gst.h>
#include <locale.h>

#define SUMMARY \
  "Commands:\n" \
  "  run PATH...     run the pipelines and processes of PATH (files, or\n" \
  "                  directories of *.pipeline and *.process files);\n" \
  "                  SIGHUP reloads, SIGTERM stops\n" \
  "  check PATH...   parse, expand and build every pipeline, check every\n" \
  "                  process, without running any; one line per problem\n" \
  "  print FILE      print the expanded gst-launch-1.0 line of FILE (the\n" \
  "                  command of a *.process FILE)\n" \
  "  health [ADDR:PORT]  GET /healthz of a running `wsaudio --http`\n" \
  "                  (default " WSA_HEALTH_DEFAULT_ADDRESS "): exit 0 if\n" \
  "                  healthy, 1 if not\n" \
  "\n" \
  "Exit status: 0 success, 64 usage error, 66 missing input, 70 runtime\n" \
  "failure, 78 invalid pipeline or process file."

#define DEFAULT_WATCHDOG_S 10

typedef struct
{
  gboolean version;
  gchar *http;
  gint watchdog;
} Options;

static void
options_clear (Options * options)
{
  g_free (options->http);
}

/* *INDENT-OFF* */
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)
/* *INDENT-ON* */

static GOptionContext *
make_context (Options * options)
{
  const GOptionEntry entries[] = {
    {"version", 'V', 0, G_OPTION_ARG_NONE, &options->version,
        "Print the version and exit", NULL},
    {"http", 0, 0, G_OPTION_ARG_STRING, &options->http,
        "Serve /healthz and /metrics on ADDR:PORT (run only)", "ADDR:PORT"},
    {"watchdog", 0, 0, G_OPTION_ARG_INT, &options->watchdog,
        "Exit with status 70 when the main loop is blocked this long "
          "(run only; default 10, 0 disables)", "SECONDS"},
    {NULL}
  };
  GOptionContext *context = g_option_context_new ("COMMAND PATH...");

  g_option_context_set_summary (context,
      "Runs the GStreamer pipelines described in pipeline files, and the "
      "programs of process files.");
  g_option_context_set_description (context, SUMMARY);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  return context;
}

static int
usage (const gchar * message)
{
  g_printerr ("wsaudio: %s\nTry 'wsaudio --help' for more information.\n",
      message);
  return WSA_EXIT_USAGE;
}

static int
dispatch (Options * options, gint argc, gchar ** argv)
{
  const gchar *command = argc > 1 ? argv[1] : NULL;
  const gchar *const *paths = (const gchar * const *) argv + 2;

  if (command == NULL)
    return usage ("missing COMMAND (run, check, print or health)");
  if (g_str_equal (command, "print"))
    return argc == 3 ? wsa_command_print (argv[2])
        : usage ("print takes exactly one FILE");
  if (g_str_equal (command, "health"))
    return argc <= 3 ? wsa_command_health (argc == 3 ? argv[2] : NULL)
        : usage ("health takes at most one ADDR:PORT");
  if (!g_str_equal (command, "run") && !g_str_equal (command, "check"))
    return usage ("unknown COMMAND (expected run, check, print or health)");
  if (argc < 3)
    return usage ("missing PATH");
  if (g_str_equal (command, "check"))
    return wsa_command_check (paths);
  if (options->watchdog < 0)
    return usage ("--watchdog takes a number of seconds, 0 or more");
  return wsa_command_run (paths, options->http, (guint) options->watchdog);
}

int
main (int argc, char **argv)
{
  g_auto (Options) options = { FALSE, NULL, DEFAULT_WATCHDOG_S };
  g_autoptr (GOptionContext) context = make_context (&options);
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage (error->message);
  if (options.version) {
    g_autofree gchar *gst_version = gst_version_string ();

    g_print ("%s %s (%s)\n", PACKAGE, VERSION, gst_version);
    return WSA_EXIT_OK;
  }
  return dispatch (&options, argc, argv);
}

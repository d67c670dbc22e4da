/* wsaudio - log lines on stderr
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every line goes to stderr in one write, so lines from different places never
 * interleave.  Lifecycle events are logfmt ("key=value ...") lines that a log
 * collector or a test can parse; GStreamer errors are printed the way
 * gst-launch-1.0 prints them.
 */
#include "log.h"

#include <stdio.h>

static void
log_write (const gchar * line)
{
  fputs (line, stderr);
  fflush (stderr);
}

void
wsa_log (const gchar * format, ...)
{
  g_autofree gchar *text = NULL;
  g_autofree gchar *line = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  line = g_strdup_printf ("wsaudio: %s\n", text);
  log_write (line);
}

/* Quotes a logfmt value: backslashes and double quotes escaped. */
static gchar *
logfmt_quote (const gchar * value)
{
  GString *s = g_string_new ("\"");
  const gchar *p;

  for (p = value; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_c (s, '\\');
    if (*p == '\n')
      g_string_append (s, "\\n");
    else
      g_string_append_c (s, *p);
  }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

void
wsa_log_event (const gchar * pipeline, const gchar * state, guint restarts,
    gint clients, const gchar * reason)
{
  g_autofree gchar *quoted = logfmt_quote (reason ? reason : "");
  g_autoptr (GString) line = g_string_new (NULL);

  g_string_printf (line, "pipeline=%s state=%s restarts=%u", pipeline, state,
      restarts);
  if (clients >= 0)
    g_string_append_printf (line, " clients=%d", clients);
  g_string_append_printf (line, " reason=%s", quoted);
  wsa_log ("%s", line->str);
}

/* pid is left out when 0 (no process). */
void
wsa_log_process_event (const gchar * process, const gchar * state,
    guint restarts, gint pid, const gchar * reason)
{
  g_autofree gchar *quoted = logfmt_quote (reason ? reason : "");
  g_autoptr (GString) line = g_string_new (NULL);

  g_string_printf (line, "process=%s state=%s restarts=%u", process, state,
      restarts);
  if (pid > 0)
    g_string_append_printf (line, " pid=%d", pid);
  g_string_append_printf (line, " reason=%s", quoted);
  wsa_log ("%s", line->str);
}

/* Prints an ERROR, WARNING or INFO message like gst-launch-1.0 does. */
void
wsa_log_gst_message (GstMessage * message)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  const gchar *kind = "ERROR";

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_WARNING) {
    kind = "WARNING";
    gst_message_parse_warning (message, &error, &debug);
  } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_INFO) {
    kind = "INFO";
    gst_message_parse_info (message, &error, &debug);
  } else {
    gst_message_parse_error (message, &error, &debug);
  }
  path = gst_object_get_path_string (GST_MESSAGE_SRC (message));
  g_string_printf (text, "%s: from element %s: %s\n", kind, path,
      error ? error->message : "(no message)");
  if (debug)
    g_string_append_printf (text, "Additional debug info:\n%s\n", debug);
  log_write (text->str);
}

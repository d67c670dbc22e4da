/* wsaudio - loading a one-group key file (pipeline and process files)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pipeline files ([pipeline]) and process files ([process]) share their
 * shape: one group, a fixed set of keys, ${VAR} forms expanded in every
 * value, and every problem reported as "FILE:LINE: message" naming the key.
 * A loader reads the file and checks its shape (groups, keys, duplicates);
 * the caller then reads the values it knows, each getter recording the
 * problems it finds, and wsa_keyfile_loader_finish() turns all of them into
 * one error, a line per problem, so `wsaudio check` can show them all.
 */
#include "keyfile-loader.h"

#include "duration.h"
#include "env-expand.h"
#include "keyfile-lines.h"

#include <string.h>

struct _WsaKeyfileLoader
{
  gchar *path;
  gchar *group;
  const gchar *const *envp;
  GKeyFile *keyfile;
  WsaKeyfileLines *lines;
  GPtrArray *problems;
  gboolean has_values;          /* read, and the group is there */
};

/* *INDENT-OFF* */
G_DEFINE_QUARK (wsa-config-error-quark, wsa_config_error);
/* *INDENT-ON* */

const gchar *
wsa_restart_policy_to_string (WsaRestartPolicy policy)
{
  static const gchar *const names[] = { "always", "on-failure", "never" };

  return names[policy];
}

/* Names appear in logs, /healthz and Prometheus labels. */
gboolean
wsa_keyfile_is_valid_name (const gchar * name)
{
  const gchar *p;

  if (*name == '\0')
    return FALSE;
  for (p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("_.-", *p))
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Problems */

void
wsa_keyfile_loader_problem (WsaKeyfileLoader * self, guint line,
    const gchar * format, ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (line > 0)
    g_ptr_array_add (self->problems,
        g_strdup_printf ("%s:%u: %s", self->path, line, message));
  else
    g_ptr_array_add (self->problems,
        g_strdup_printf ("%s: %s", self->path, message));
}

guint
wsa_keyfile_loader_key_line (WsaKeyfileLoader * self, const gchar * key)
{
  return wsa_keyfile_lines_find_key (self->lines, self->group, key);
}

void
wsa_keyfile_loader_key_problem (WsaKeyfileLoader * self, const gchar * key,
    const gchar * what)
{
  wsa_keyfile_loader_problem (self, wsa_keyfile_loader_key_line (self, key),
      "key '%s': %s", key, what);
}

/* ------------------------------------------------------------------ */
/* Reading and shape */

static gboolean
read_file (WsaKeyfileLoader * self, GError ** error)
{
  g_autoptr (GError) local = NULL;
  g_autofree gchar *text = NULL;
  gsize len;

  if (!g_file_get_contents (self->path, &text, &len, &local)) {
    g_set_error (error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_NOT_FOUND,
        "%s: %s", self->path, local->message);
    return FALSE;
  }
  if (!g_utf8_validate_len (text, len, NULL)) {
    wsa_keyfile_loader_problem (self, 0, "not valid UTF-8 text");
    return TRUE;
  }
  self->lines = wsa_keyfile_lines_new (text);
  if (!g_key_file_load_from_data (self->keyfile, text, len,
          G_KEY_FILE_NONE, &local))
    wsa_keyfile_loader_problem (self,
        wsa_keyfile_lines_find_malformed (self->lines), "%s", local->message);
  return TRUE;
}

static void
check_duplicates (WsaKeyfileLoader * self)
{
  g_autofree gchar *dup_group = NULL;
  g_autofree gchar *dup_key = NULL;
  guint line;

  line = wsa_keyfile_lines_find_duplicate (self->lines, &dup_group, &dup_key);
  if (line > 0 && dup_key)
    wsa_keyfile_loader_problem (self, line, "key '%s' appears twice in [%s]",
        dup_key, dup_group);
  else if (line > 0)
    wsa_keyfile_loader_problem (self, line, "group [%s] appears twice",
        dup_group);
}

/* Unknown groups and keys, duplicates, and the group itself. */
static void
check_shape (WsaKeyfileLoader * self, const gchar * const *known_keys)
{
  g_auto (GStrv) groups = g_key_file_get_groups (self->keyfile, NULL);
  g_auto (GStrv) keys = NULL;
  guint i;

  check_duplicates (self);
  for (i = 0; groups[i]; i++)
    if (!g_str_equal (groups[i], self->group))
      wsa_keyfile_loader_problem (self,
          wsa_keyfile_lines_find_group (self->lines, groups[i]),
          "unknown group [%s] (only [%s] is allowed)", groups[i], self->group);
  if (!g_key_file_has_group (self->keyfile, self->group)) {
    wsa_keyfile_loader_problem (self, 0, "no [%s] group", self->group);
    return;
  }
  keys = g_key_file_get_keys (self->keyfile, self->group, NULL, NULL);
  for (i = 0; keys[i]; i++)
    if (!g_strv_contains (known_keys, keys[i]))
      wsa_keyfile_loader_problem (self, wsa_keyfile_loader_key_line (self,
              keys[i]), "unknown key '%s'", keys[i]);
  self->has_values = TRUE;
}

/* Reads @path and checks its shape; NULL only if the file cannot be read
 * (WSA_CONFIG_ERROR_NOT_FOUND).  Other problems are kept for _finish(). */
WsaKeyfileLoader *
wsa_keyfile_loader_new (const gchar * path, const gchar * group,
    const gchar * const *known_keys, const gchar * const *envp, GError ** error)
{
  g_autoptr (WsaKeyfileLoader) self = g_new0 (WsaKeyfileLoader, 1);

  self->path = g_strdup (path);
  self->group = g_strdup (group);
  self->envp = envp;
  self->keyfile = g_key_file_new ();
  self->problems = g_ptr_array_new_with_free_func (g_free);
  if (!read_file (self, error))
    return NULL;
  if (self->problems->len == 0)
    check_shape (self, known_keys);
  return g_steal_pointer (&self);
}

void
wsa_keyfile_loader_free (WsaKeyfileLoader * self)
{
  g_clear_pointer (&self->keyfile, g_key_file_unref);
  g_clear_pointer (&self->lines, wsa_keyfile_lines_free);
  g_ptr_array_unref (self->problems);
  g_free (self->group);
  g_free (self->path);
  g_free (self);
}

/* Whether values can be read: the file parsed and has the group (it may
 * still have unknown keys). */
gboolean
wsa_keyfile_loader_has_values (WsaKeyfileLoader * self)
{
  return self->has_values;
}

const gchar *
wsa_keyfile_loader_get_path (WsaKeyfileLoader * self)
{
  return self->path;
}

/* ------------------------------------------------------------------ */
/* Values */

gchar *
wsa_keyfile_bad_escape (const gchar * raw)
{
  const gchar *p;

  for (p = strchr (raw, '\\'); p != NULL; p = strchr (p + 2, '\\')) {
    if (p[1] == '\0')
      return g_strdup ("the value ends with an escape character (\\)");
    if (strchr ("sntr\\", p[1]) == NULL)
      return g_strdup_printf ("invalid escape sequence \"\\%c\" (known: "
          "\\s \\n \\t \\r \\\\)", p[1]);
  }
  return NULL;
}

/* The expanded value of @key, or NULL if absent or on error. */
gchar *
wsa_keyfile_loader_get (WsaKeyfileLoader * self, const gchar * key)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *raw = NULL;
  g_autofree gchar *bad = NULL;
  gchar *value;

  if (!g_key_file_has_key (self->keyfile, self->group, key, NULL))
    return NULL;
  raw = g_key_file_get_value (self->keyfile, self->group, key, NULL);
  if (raw == NULL || (bad = wsa_keyfile_bad_escape (raw)) != NULL) {
    wsa_keyfile_loader_key_problem (self, key, bad ? bad : "unreadable");
    return NULL;
  }
  g_free (raw);
  raw = g_key_file_get_string (self->keyfile, self->group, key, &error);
  if (raw == NULL) {
    wsa_keyfile_loader_key_problem (self, key, error->message);
    return NULL;
  }
  value = wsa_env_expand (raw, self->envp, &error);
  if (value == NULL)
    wsa_keyfile_loader_key_problem (self, key, error->message);
  return value;
}

/* Like _get(), and a problem if @key is missing. */
gchar *
wsa_keyfile_loader_get_required (WsaKeyfileLoader * self, const gchar * key)
{
  if (!g_key_file_has_key (self->keyfile, self->group, key, NULL)) {
    wsa_keyfile_loader_problem (self, wsa_keyfile_lines_find_group
        (self->lines, self->group), "missing key '%s' in [%s]", key,
        self->group);
    return NULL;
  }
  return wsa_keyfile_loader_get (self, key);
}

/* The "name" key, by default the file name without @suffix. */
gchar *
wsa_keyfile_loader_get_name (WsaKeyfileLoader * self, const gchar * suffix)
{
  gchar *name = wsa_keyfile_loader_get (self, "name");

  if (name == NULL) {
    name = g_path_get_basename (self->path);
    if (g_str_has_suffix (name, suffix))
      name[strlen (name) - strlen (suffix)] = '\0';
  }
  if (!wsa_keyfile_is_valid_name (name))
    wsa_keyfile_loader_key_problem (self, "name", "a name may only hold "
        "letters, digits, '_', '.' and '-'");
  return name;
}

/* Leaves *msec as it is if @key is absent or invalid. */
void
wsa_keyfile_loader_get_duration (WsaKeyfileLoader * self, const gchar * key,
    guint * msec)
{
  g_autofree gchar *value = wsa_keyfile_loader_get (self, key);
  g_autofree gchar *what = NULL;

  if (value == NULL || wsa_duration_parse (value, msec))
    return;
  what = g_strdup_printf ("invalid duration \"%s\" (expected a number of "
      "seconds, or a number followed by ms, s or m, e.g. 500ms)", value);
  wsa_keyfile_loader_key_problem (self, key, what);
}

static gboolean
parse_restart (const gchar * value, WsaRestartPolicy * policy)
{
  if (g_str_equal (value, "always"))
    *policy = WSA_RESTART_ALWAYS;
  else if (g_str_equal (value, "on-failure"))
    *policy = WSA_RESTART_ON_FAILURE;
  else if (g_str_equal (value, "never"))
    *policy = WSA_RESTART_NEVER;
  else
    return FALSE;
  return TRUE;
}

/* restart, restart-delay and restart-max-delay. */
void
wsa_keyfile_loader_get_restart (WsaKeyfileLoader * self,
    WsaRestartPolicy * policy, guint * delay_ms, guint * max_delay_ms)
{
  g_autofree gchar *restart = wsa_keyfile_loader_get (self, "restart");

  if (restart && !parse_restart (restart, policy)) {
    g_autofree gchar *what = g_strdup_printf ("invalid value \"%s\" "
        "(expected always, on-failure or never)", restart);
    wsa_keyfile_loader_key_problem (self, "restart", what);
  }
  wsa_keyfile_loader_get_duration (self, "restart-delay", delay_ms);
  wsa_keyfile_loader_get_duration (self, "restart-max-delay", max_delay_ms);
  if (*max_delay_ms < *delay_ms)
    wsa_keyfile_loader_key_problem (self, "restart-max-delay",
        "must not be shorter than restart-delay");
}

/* FALSE, with every problem as one line of a WSA_CONFIG_ERROR_INVALID
 * error, if any was found. */
gboolean
wsa_keyfile_loader_finish (WsaKeyfileLoader * self, GError ** error)
{
  g_autofree gchar *all = NULL;

  if (self->problems->len == 0)
    return TRUE;
  g_ptr_array_add (self->problems, NULL);
  all = g_strjoinv ("\n", (gchar **) self->problems->pdata);
  g_ptr_array_remove_index (self->problems, self->problems->len - 1);
  g_set_error_literal (error, WSA_CONFIG_ERROR, WSA_CONFIG_ERROR_INVALID, all);
  return FALSE;
}

/* wsaudio - ${VAR} and ${VAR:-default} expansion
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shell-like, but only these forms are special:
 *   ${VAR}           the value of VAR; an error if VAR is not set
 *   ${VAR:-default}  the value of VAR, or default if VAR is unset or empty;
 *                    default may itself hold ${...} forms
 *   $$               a literal "$"
 * Any other "$" is kept as it is.  The error message names the variable; the
 * caller adds the file and key.
 */
#include "env-expand.h"

#include <gio/gio.h>
#include <string.h>

static gboolean
is_name_char (gchar c, gboolean first)
{
  return c == '_' || g_ascii_isalpha (c) || (!first && g_ascii_isdigit (c));
}

/* Returns the index of the "}" closing the "${" that ends before @p, or -1. */
static gssize
find_closing_brace (const gchar * p)
{
  gssize i;
  gint depth = 1;

  for (i = 0; p[i]; i++) {
    if (p[i] == '$' && p[i + 1] == '{') {
      depth++;
      i++;
    } else if (p[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return -1;
}

static gboolean expand_into (GString * out, const gchar * text,
    const gchar * const *envp, GError ** error);

/* Expands the body of one ${...} form (without the braces). */
static gboolean
expand_reference (GString * out, const gchar * body,
    const gchar * const *envp, GError ** error)
{
  const gchar *value;
  gsize len = 0;

  while (is_name_char (body[len], len == 0))
    len++;
  if (len == 0 || (body[len] != '\0' && !g_str_has_prefix (body + len, ":-"))) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "invalid variable reference \"${%s}\"", body);
    return FALSE;
  }
  {
    g_autofree gchar *name = g_strndup (body, len);

    value = g_environ_getenv ((gchar **) envp, name);
    if (body[len] == '\0' && value == NULL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
          "environment variable %s is not set and has no default "
          "(write ${%s:-default})", name, name);
      return FALSE;
    }
  }
  if (value != NULL && (value[0] != '\0' || body[len] == '\0')) {
    g_string_append (out, value);
    return TRUE;
  }
  return expand_into (out, body + len + 2, envp, error);
}

static gboolean
expand_into (GString * out, const gchar * text, const gchar * const *envp,
    GError ** error)
{
  const gchar *p = text;

  while (*p) {
    gssize close;

    if (p[0] != '$' || (p[1] != '$' && p[1] != '{')) {
      g_string_append_c (out, *p++);
      continue;
    }
    if (p[1] == '$') {
      g_string_append_c (out, '$');
      p += 2;
      continue;
    }
    close = find_closing_brace (p + 2);
    if (close < 0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "unterminated \"${\" in \"%s\"", p);
      return FALSE;
    }
    {
      g_autofree gchar *body = g_strndup (p + 2, close);

      if (!expand_reference (out, body, envp, error))
        return FALSE;
    }
    p += 2 + close + 1;
  }
  return TRUE;
}

gchar *
wsa_env_expand (const gchar * text, const gchar * const *envp, GError ** error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (!expand_into (out, text, envp, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

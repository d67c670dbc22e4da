/* wsaudio - line numbers of groups and keys in key-file text
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GKeyFile does not say on which line a key is.  This scans the text once
 * with GKeyFile's own rules (leading blanks ignored, "#" comments, "[group]"
 * headers, "key = value") and records where each group and key is, so
 * problems can be reported as FILE:LINE.  Lines are numbered from 1; 0 means
 * "not found".
 */
#include "keyfile-lines.h"

#include <string.h>

typedef enum
{
  ENTRY_GROUP,
  ENTRY_KEY,
  ENTRY_MALFORMED,
} EntryKind;

typedef struct
{
  EntryKind kind;
  guint line;
  gchar *group;
  gchar *key;
} Entry;

struct _WsaKeyfileLines
{
  GArray *entries;
};

static void
entry_clear (Entry * entry)
{
  g_free (entry->group);
  g_free (entry->key);
}

static void
add_entry (WsaKeyfileLines * self, EntryKind kind, guint line,
    const gchar * group, gchar * key)
{
  Entry entry = { kind, line, g_strdup (group), key };

  g_array_append_val (self->entries, entry);
}

/* Classifies one line; updates *group on a group header.  A key before
 * any group is malformed, as GKeyFile says. */
static void
scan_line (WsaKeyfileLines * self, const gchar * raw, guint line,
    gchar ** group)
{
  const gchar *text = raw;
  const gchar *eq;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0' || *text == '#')
    return;
  if (*text == '[') {
    const gchar *end = strchr (text, ']');

    if (end == NULL) {
      add_entry (self, ENTRY_MALFORMED, line, *group, NULL);
      return;
    }
    g_free (*group);
    *group = g_strndup (text + 1, end - text - 1);
    add_entry (self, ENTRY_GROUP, line, *group, NULL);
    return;
  }
  eq = strchr (text, '=');
  if (eq == NULL || eq == text || *group == NULL) {
    add_entry (self, ENTRY_MALFORMED, line, *group, NULL);
    return;
  }
  add_entry (self, ENTRY_KEY, line, *group,
      g_strchomp (g_strndup (text, eq - text)));
}

WsaKeyfileLines *
wsa_keyfile_lines_new (const gchar * text)
{
  WsaKeyfileLines *self = g_new0 (WsaKeyfileLines, 1);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree gchar *group = NULL;
  guint i;

  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->entries, (GDestroyNotify) entry_clear);
  for (i = 0; lines[i]; i++)
    scan_line (self, lines[i], i + 1, &group);
  return self;
}

void
wsa_keyfile_lines_free (WsaKeyfileLines * self)
{
  g_array_unref (self->entries);
  g_free (self);
}

static guint
find_entry (WsaKeyfileLines * self, EntryKind kind, const gchar * group,
    const gchar * key)
{
  guint i;

  for (i = 0; i < self->entries->len; i++) {
    Entry *e = &g_array_index (self->entries, Entry, i);

    if (e->kind == kind && g_strcmp0 (e->group, group) == 0
        && g_strcmp0 (e->key, key) == 0)
      return e->line;
  }
  return 0;
}

guint
wsa_keyfile_lines_find_key (WsaKeyfileLines * self, const gchar * group,
    const gchar * key)
{
  return find_entry (self, ENTRY_KEY, group, key);
}

guint
wsa_keyfile_lines_find_group (WsaKeyfileLines * self, const gchar * group)
{
  return find_entry (self, ENTRY_GROUP, group, NULL);
}

guint
wsa_keyfile_lines_find_malformed (WsaKeyfileLines * self)
{
  guint i;

  for (i = 0; i < self->entries->len; i++) {
    Entry *e = &g_array_index (self->entries, Entry, i);

    if (e->kind == ENTRY_MALFORMED)
      return e->line;
  }
  return 0;
}

/* Returns the line of the second occurrence of a key or group, or 0. */
guint
wsa_keyfile_lines_find_duplicate (WsaKeyfileLines * self, gchar ** group,
    gchar ** key)
{
  guint i;

  for (i = 0; i < self->entries->len; i++) {
    Entry *e = &g_array_index (self->entries, Entry, i);

    if (e->kind == ENTRY_MALFORMED)
      continue;
    if (find_entry (self, e->kind, e->group, e->key) != e->line) {
      *group = g_strdup (e->group);
      *key = g_strdup (e->key);
      return e->line;
    }
  }
  return 0;
}

/* wsaudio - line numbers of groups and keys in key-file text
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _WsaKeyfileLines WsaKeyfileLines;

WsaKeyfileLines *wsa_keyfile_lines_new (const gchar * text);
void wsa_keyfile_lines_free (WsaKeyfileLines * self);

guint wsa_keyfile_lines_find_key (WsaKeyfileLines * self,
    const gchar * group, const gchar * key);
guint wsa_keyfile_lines_find_group (WsaKeyfileLines * self,
    const gchar * group);
guint wsa_keyfile_lines_find_malformed (WsaKeyfileLines * self);
guint wsa_keyfile_lines_find_duplicate (WsaKeyfileLines * self,
    gchar ** group, gchar ** key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaKeyfileLines, wsa_keyfile_lines_free)

G_END_DECLS

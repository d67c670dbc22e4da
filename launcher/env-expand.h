/* wsaudio - ${VAR} and ${VAR:-default} expansion
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *wsa_env_expand (const gchar * text, const gchar * const *envp,
    GError ** error);

G_END_DECLS

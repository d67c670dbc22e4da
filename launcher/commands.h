/* wsaudio - the commands of the command line
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int wsa_command_run (const gchar * const *paths, const gchar * http_address,
    guint watchdog_s);
int wsa_command_check (const gchar * const *paths);
int wsa_command_print (const gchar * path);
int wsa_command_health (const gchar * address);

G_END_DECLS

/* wsaudio - durations in pipeline files ("500ms", "2s", "1.5", "1m")
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean wsa_duration_parse (const gchar * text, guint * msec);

gchar *wsa_duration_format (guint msec);

G_END_DECLS

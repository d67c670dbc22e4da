/* wsaudio - log lines on stderr
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

void wsa_log (const gchar * format, ...) G_GNUC_PRINTF (1, 2);

void wsa_log_event (const gchar * pipeline, const gchar * state,
    guint restarts, gint clients, const gchar * reason);

void wsa_log_process_event (const gchar * process, const gchar * state,
    guint restarts, gint pid, const gchar * reason);

void wsa_log_gst_message (GstMessage * message);

G_END_DECLS

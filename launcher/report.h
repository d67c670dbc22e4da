/* wsaudio - /healthz and /metrics documents
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "supervisor.h"

G_BEGIN_DECLS

gchar *wsa_report_health (GPtrArray * supervisors, gboolean * healthy);
gchar *wsa_report_metrics (GPtrArray * supervisors);

G_END_DECLS

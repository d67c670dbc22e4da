/* wsaudio - /healthz and /metrics documents
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "process-supervisor.h"
#include "supervisor.h"

G_BEGIN_DECLS

/* @pipelines: WsaSupervisor *; @processes: WsaProcessSupervisor * or NULL */
gchar *wsa_report_health (GPtrArray * pipelines, GPtrArray * processes,
    gboolean * healthy);
gchar *wsa_report_metrics (GPtrArray * pipelines, GPtrArray * processes);

G_END_DECLS

/* wsaudio - runs one program and restarts it per its policy
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "process-file.h"

G_BEGIN_DECLS

typedef enum
{
  WSA_PROCESS_STOPPED,          /* not started, or stopped on request */
  WSA_PROCESS_RUNNING,
  WSA_PROCESS_STOPPING,         /* SIGTERM sent, waiting for the exit */
  WSA_PROCESS_RESTARTING,       /* exited; a restart is scheduled */
  WSA_PROCESS_FAILED,           /* failed; the policy says no restart */
  WSA_PROCESS_FINISHED,         /* exited 0; the policy says no restart */
} WsaProcessState;

#define WSA_PROCESS_STATE_LAST WSA_PROCESS_FINISHED

typedef struct _WsaProcessSupervisor WsaProcessSupervisor;

typedef void (*WsaProcessSupervisorFunc) (WsaProcessSupervisor * supervisor,
    gpointer user_data);

const gchar *wsa_process_state_to_string (WsaProcessState state);
gboolean wsa_process_state_is_failing (WsaProcessState state);

WsaProcessSupervisor *wsa_process_supervisor_new (WsaProcessConfig * config);
WsaProcessSupervisor *wsa_process_supervisor_ref (WsaProcessSupervisor *
    self);
void wsa_process_supervisor_unref (WsaProcessSupervisor * self);

void wsa_process_supervisor_set_callback (WsaProcessSupervisor * self,
    WsaProcessSupervisorFunc func, gpointer user_data);

void wsa_process_supervisor_start (WsaProcessSupervisor * self);
void wsa_process_supervisor_stop (WsaProcessSupervisor * self,
    const gchar * reason);
gboolean wsa_process_supervisor_is_alive (WsaProcessSupervisor * self);
gboolean wsa_process_supervisor_is_ready (WsaProcessSupervisor * self);

WsaProcessState wsa_process_supervisor_get_state (WsaProcessSupervisor *
    self);
const gchar *wsa_process_supervisor_get_reason (WsaProcessSupervisor * self);
const WsaProcessConfig *wsa_process_supervisor_get_config
    (WsaProcessSupervisor * self);
const gchar *wsa_process_supervisor_get_name (WsaProcessSupervisor * self);
gint wsa_process_supervisor_get_pid (WsaProcessSupervisor * self);
guint wsa_process_supervisor_get_restarts (WsaProcessSupervisor * self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaProcessSupervisor,
    wsa_process_supervisor_unref)

G_END_DECLS

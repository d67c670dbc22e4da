/* wsaudio - runs one pipeline and restarts it per its policy
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "pipeline-file.h"

G_BEGIN_DECLS

typedef enum
{
  WSA_STATE_STOPPED,            /* not started, or stopped on request */
  WSA_STATE_STARTING,           /* on its way to PLAYING */
  WSA_STATE_WAITING,            /* on-demand: READY, waiting for a client */
  WSA_STATE_PLAYING,
  WSA_STATE_RESTARTING,         /* failed; a restart is scheduled */
  WSA_STATE_FAILED,             /* failed; the policy says no restart */
  WSA_STATE_FINISHED,           /* end of stream; the policy says no restart */
} WsaState;

#define WSA_STATE_LAST WSA_STATE_FINISHED

typedef struct _WsaSupervisor WsaSupervisor;

typedef void (*WsaSupervisorFunc) (WsaSupervisor * supervisor,
    gpointer user_data);

const gchar *wsa_state_to_string (WsaState state);
gboolean wsa_state_is_failing (WsaState state);
gboolean wsa_state_is_terminal (WsaState state);

WsaSupervisor *wsa_supervisor_new (WsaPipelineConfig * config,
    GError ** error);
WsaSupervisor *wsa_supervisor_ref (WsaSupervisor * self);
void wsa_supervisor_unref (WsaSupervisor * self);

void wsa_supervisor_set_callback (WsaSupervisor * self,
    WsaSupervisorFunc func, gpointer user_data);

void wsa_supervisor_start (WsaSupervisor * self);
void wsa_supervisor_stop (WsaSupervisor * self, const gchar * reason);

WsaState wsa_supervisor_get_state (WsaSupervisor * self);
const gchar *wsa_supervisor_get_reason (WsaSupervisor * self);
const WsaPipelineConfig *wsa_supervisor_get_config (WsaSupervisor * self);
const gchar *wsa_supervisor_get_name (WsaSupervisor * self);
GstElement *wsa_supervisor_get_pipeline (WsaSupervisor * self);
GPtrArray *wsa_supervisor_get_websocket_servers (WsaSupervisor * self);
gint wsa_supervisor_get_clients (WsaSupervisor * self);
guint wsa_supervisor_get_restarts (WsaSupervisor * self);
guint wsa_supervisor_get_consecutive_failures (WsaSupervisor * self);
guint wsa_supervisor_get_restart_delay (WsaSupervisor * self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaSupervisor, wsa_supervisor_unref)

G_END_DECLS

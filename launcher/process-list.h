/* wsaudio - the supervised processes of a running wsaudio
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "config-set.h"
#include "process-supervisor.h"

G_BEGIN_DECLS

typedef struct _WsaProcessList WsaProcessList;

/* Called after any process changed state. */
typedef void (*WsaProcessListFunc) (gpointer user_data);

WsaProcessList *wsa_process_list_new (WsaProcessListFunc changed,
    gpointer user_data);
void wsa_process_list_free (WsaProcessList * self);

void wsa_process_list_add (WsaProcessList * self, WsaProcessConfig * config);
void wsa_process_list_start (WsaProcessList * self);
void wsa_process_list_reload (WsaProcessList * self, WsaConfigSet * set,
    WsaReloadCounts * counts);
void wsa_process_list_stop (WsaProcessList * self, const gchar * reason);

gboolean wsa_process_list_is_alive (WsaProcessList * self);
gboolean wsa_process_list_has_ended (WsaProcessList * self,
    gboolean * failed);
GPtrArray *wsa_process_list_get (WsaProcessList * self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaProcessList, wsa_process_list_free)

G_END_DECLS

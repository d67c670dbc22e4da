/* wsaudio - notices when no buffer reaches a pipeline's sinks
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _WsaStallWatch WsaStallWatch;
typedef void (*WsaStallFunc) (gpointer user_data);

WsaStallWatch *wsa_stall_watch_new (GstBin * pipeline, guint timeout_ms,
    WsaStallFunc func, gpointer user_data);
void wsa_stall_watch_free (WsaStallWatch * self);

void wsa_stall_watch_arm (WsaStallWatch * self);
void wsa_stall_watch_disarm (WsaStallWatch * self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaStallWatch, wsa_stall_watch_free)

G_END_DECLS

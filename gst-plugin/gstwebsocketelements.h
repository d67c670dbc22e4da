/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WEBSOCKET_ELEMENTS_H__
#define __GST_WEBSOCKET_ELEMENTS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

GST_ELEMENT_REGISTER_DECLARE (websocketsink);
GST_ELEMENT_REGISTER_DECLARE (websocketsrc);

G_END_DECLS

#endif /* __GST_WEBSOCKET_ELEMENTS_H__ */

/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_SRC_PAYLOAD_H__
#define __GST_WS_SRC_PAYLOAD_H__

#include <gst/audio/audio.h>

G_BEGIN_DECLS

/* What websocketsrc makes of a client's input before the element sees it:
 * the format its query declares, and its messages cut to whole frames.
 * Pure logic, for gstwssrcclients.c and the fuzz targets. */

/* What were declared at most. */
#define GST_WS_SRC_MAX_DECLARED_RATE 768000
#define GST_WS_SRC_MAX_DECLARED_CHANNELS 8

/* Raw audio only: gst_audio_info_from_caps() also takes encoded audio
 * (audio/mpeg, ...) as format ENCODED, with no frame size. */
G_GNUC_INTERNAL
gboolean gst_ws_src_raw_audio_info (GstAudioInfo * info, const GstCaps * caps);

/* @caps (the caps property) fixated, with ?rate=&channels=&format= of
 * @query (may be NULL) applied when they are raw audio; NULL when the
 * declaration is invalid. */
G_GNUC_INTERNAL
GstCaps *gst_ws_src_declared_caps (const GstCaps * caps, GHashTable * query);

/* The whole frames of @bpf bytes that @carry (the start of an incomplete
 * frame, updated) and @message make, or NULL while there are none. */
G_GNUC_INTERNAL
GBytes *gst_ws_src_align_frames (GByteArray * carry, guint bpf,
    GBytes * message);

G_END_DECLS

#endif /* __GST_WS_SRC_PAYLOAD_H__ */

/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_STRETCH_H__
#define __GST_WS_STRETCH_H__

#include <gst/audio/audio.h>

G_BEGIN_DECLS

/* Plays interleaved F32LE or S16LE audio at a ratio close to 1 (input frames
 * per output frame), to follow a sender whose clock runs a little fast or
 * slow: 4-point cubic (Catmull-Rom) interpolation, which changes the ratio
 * smoothly from one output frame to the next. At a ratio of exactly 1 with
 * the read position on a frame, frames go through unchanged.
 *
 * It also drops a stretch of input without a click when the latency has to
 * come down at once: the length of the cut is chosen within 6 ms of the
 * request where the signal after it best matches the signal before (a
 * whole number of periods of a tone), and the two are crossfaded over 10 ms. Input
 * that follows silence fades in over 5 ms.
 *
 * Pure logic: no clock, no locking. */
typedef struct
{
  GstAudioFormat format;
  guint channels;
  guint rate;                   /* of the input, for the lengths above */
  gfloat *buf;                  /* frames; buf[0] is the one before pos */
  gsize len;                    /* frames in buf */
  gsize cap;
  gdouble pos;                  /* of the next output frame, >= 1 */
  gdouble ratio;
  gsize skip;                   /* frames to drop, waiting for input */
  guint fade;                   /* frames of input still to fade in */
} GstWsStretch;

G_GNUC_INTERNAL
void gst_ws_stretch_init (GstWsStretch * st, GstAudioFormat format,
    guint channels, guint rate);

G_GNUC_INTERNAL
void gst_ws_stretch_clear (GstWsStretch * st);

/* Drops the pending input; the next frame follows silence. */
G_GNUC_INTERNAL
void gst_ws_stretch_reset (GstWsStretch * st);

/* Input frames per output frame from now on. */
G_GNUC_INTERNAL
void gst_ws_stretch_set_ratio (GstWsStretch * st, gdouble ratio);

/* Appends @n_frames of @data. */
G_GNUC_INTERNAL
void gst_ws_stretch_push (GstWsStretch * st, const guint8 * data,
    gsize n_frames);

/* Appends @n_frames of silence; input after it fades in. */
G_GNUC_INTERNAL
void gst_ws_stretch_push_silence (GstWsStretch * st, gsize n_frames);

/* Input frames not played yet, not counting a requested skip. */
G_GNUC_INTERNAL
gdouble gst_ws_stretch_pending (const GstWsStretch * st);

/* TRUE when the next input frame would come out unchanged and nothing is
 * pending: the caller may pass input on itself, then tell
 * gst_ws_stretch_passed(). */
G_GNUC_INTERNAL
gboolean gst_ws_stretch_is_idle (const GstWsStretch * st);

/* @n_frames of @data went out without the stretcher (see is_idle). */
G_GNUC_INTERNAL
void gst_ws_stretch_passed (GstWsStretch * st, const guint8 * data,
    gsize n_frames);

/* Asks to drop about @n_frames of input (within 6 ms, at least half of
 * it); it happens once that much input and 16 ms more are pending (see
 * gst_ws_stretch_pull()). */
G_GNUC_INTERNAL
void gst_ws_stretch_request_skip (GstWsStretch * st, gsize n_frames);

G_GNUC_INTERNAL
void gst_ws_stretch_cancel_skip (GstWsStretch * st);

/* The output that can be computed from the input so far, @skipped: input
 * frames dropped on the way (a requested skip that happened). With @wait,
 * a requested skip holds the output back until there is input enough for
 * it; else it cuts what the input allows (nothing under 12 ms). Returns
 * NULL (and *n_frames 0) when there is none. */
G_GNUC_INTERNAL
GstBuffer *gst_ws_stretch_pull (GstWsStretch * st, gboolean wait,
    gsize * n_frames, gsize * skipped);

/* The output of the input so far, as if silence followed; then resets. */
G_GNUC_INTERNAL
GstBuffer *gst_ws_stretch_drain (GstWsStretch * st, gsize * n_frames);

G_END_DECLS

#endif /* __GST_WS_STRETCH_H__ */

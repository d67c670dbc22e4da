/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_SRC_QUEUE_H__
#define __GST_WS_SRC_QUEUE_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* One message of the talker, cut to whole frames, on its way from the
 * server thread to the streaming thread; or the news that the talker left
 * (no bytes). */
typedef struct
{
  GBytes *bytes;                /* NULL: the talker left */
  GstCaps *caps;                /* what the talker's messages carry */
  guint talker;
  guint rate;                   /* 0: not raw audio */
  guint bpf;
  gboolean infer;               /* raw audio of undeclared rate */
  GstClockTime arrival;         /* running time, NONE without a clock */
  guint64 end_frame;            /* frames the talker sent up to its end */
  gboolean discont;             /* data was dropped before it */
} GstWsSrcChunk;

/* A chunk of @bytes (whole frames of @bpf bytes, or NULL: the talker left)
 * from @talker; *@frames, the frames the talker sent so far, grows by
 * them and becomes the chunk's end_frame. */
G_GNUC_INTERNAL
GstWsSrcChunk *gst_ws_src_chunk_new (GBytes * bytes, GstCaps * caps,
    guint talker, guint rate, guint bpf, gboolean infer,
    GstClockTime arrival, guint64 * frames);

G_GNUC_INTERNAL
void gst_ws_src_chunk_free (GstWsSrcChunk * chunk);

typedef enum
{
  GST_WS_SRC_QUEUE_OK,
  GST_WS_SRC_QUEUE_FLUSHING,
  GST_WS_SRC_QUEUE_TIMEOUT,
} GstWsSrcQueueResult;

/* The hand-over from the server thread, which never waits, to the streaming
 * thread, which waits for a chunk, a deadline on the pipeline clock or
 * flushing. Bounded by the pusher: the oldest data goes first, and the next
 * chunk is marked discont. Takes data only while playing. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GQueue chunks;
  gsize bytes;
  gboolean flushing;
  gboolean playing;
  gboolean discont;             /* data was dropped before the next push */
  gboolean overflowing;
  GstClockID timer;             /* the pop waiting for a deadline */
  gboolean timed_out;
} GstWsSrcQueue;

G_GNUC_INTERNAL
void gst_ws_src_queue_init (GstWsSrcQueue * q);

G_GNUC_INTERNAL
void gst_ws_src_queue_clear (GstWsSrcQueue * q);

/* Stopping drops everything queued. */
G_GNUC_INTERNAL
void gst_ws_src_queue_set_playing (GstWsSrcQueue * q, gboolean playing);

/* Makes pop() return FLUSHING at once, and until unset. */
G_GNUC_INTERNAL
void gst_ws_src_queue_set_flushing (GstWsSrcQueue * q, gboolean flushing);

/* Drops the chunks of @talker, or all of them for 0. */
G_GNUC_INTERNAL
void gst_ws_src_queue_drop (GstWsSrcQueue * q, guint talker);

/* Takes @chunk unless not playing (FALSE, freed). Then drops the oldest
 * data beyond @limit bytes, *@dropped tells how many chunks; *@first_drop
 * whether this overflow is new (for logging once). */
G_GNUC_INTERNAL
gboolean gst_ws_src_queue_push (GstWsSrcQueue * q, GstWsSrcChunk * chunk,
    gsize limit, guint * dropped, gboolean * first_drop);

/* Waits for the next chunk (@more: others follow it already), until
 * flushing, or with a @clock until its time reaches @deadline (TIMEOUT). */
G_GNUC_INTERNAL
GstWsSrcQueueResult gst_ws_src_queue_pop (GstWsSrcQueue * q,
    GstClock * clock, GstClockTime deadline, GstWsSrcChunk ** chunk,
    gboolean * more);

/* Waits until @until on @clock whatever arrives: FALSE when flushing. */
G_GNUC_INTERNAL
gboolean gst_ws_src_queue_sleep (GstWsSrcQueue * q, GstClock * clock,
    GstClockTime until);

G_END_DECLS

#endif /* __GST_WS_SRC_QUEUE_H__ */

/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwssrcqueue.h"

#define QUEUE_LOCK(q) g_mutex_lock (&(q)->lock)
#define QUEUE_UNLOCK(q) g_mutex_unlock (&(q)->lock)

GstWsSrcChunk *
gst_ws_src_chunk_new (GBytes * bytes, GstCaps * caps, guint talker,
    guint rate, guint bpf, gboolean infer, GstClockTime arrival,
    guint64 * frames)
{
  GstWsSrcChunk *chunk = g_new0 (GstWsSrcChunk, 1);

  chunk->bytes = bytes;
  chunk->caps = gst_caps_ref (caps);
  chunk->talker = talker;
  chunk->rate = rate;
  chunk->bpf = bpf;
  chunk->infer = infer;
  chunk->arrival = arrival;
  if (bytes != NULL)
    *frames += g_bytes_get_size (bytes) / bpf;
  chunk->end_frame = *frames;
  return chunk;
}

void
gst_ws_src_chunk_free (GstWsSrcChunk * chunk)
{
  if (chunk->bytes != NULL)
    g_bytes_unref (chunk->bytes);
  gst_caps_unref (chunk->caps);
  g_free (chunk);
}

static gsize
chunk_size (GstWsSrcChunk * chunk)
{
  return chunk->bytes != NULL ? g_bytes_get_size (chunk->bytes) : 0;
}

void
gst_ws_src_queue_init (GstWsSrcQueue * q)
{
  g_mutex_init (&q->lock);
  g_cond_init (&q->cond);
  g_queue_init (&q->chunks);
  q->bytes = 0;
  q->flushing = FALSE;
  q->playing = FALSE;
  q->discont = FALSE;
  q->overflowing = FALSE;
  q->timer = NULL;
  q->timed_out = FALSE;
}

void
gst_ws_src_queue_clear (GstWsSrcQueue * q)
{
  g_queue_clear_full (&q->chunks, (GDestroyNotify) gst_ws_src_chunk_free);
  g_mutex_clear (&q->lock);
  g_cond_clear (&q->cond);
}

/* Lock held. */
static void
drop_where (GstWsSrcQueue * q, guint talker)
{
  GList *l = q->chunks.head, *next;

  for (; l != NULL; l = next) {
    GstWsSrcChunk *chunk = l->data;

    next = l->next;
    if (talker != 0 && chunk->talker != talker)
      continue;
    q->bytes -= chunk_size (chunk);
    gst_ws_src_chunk_free (chunk);
    g_queue_delete_link (&q->chunks, l);
  }
  q->discont = TRUE;
}

void
gst_ws_src_queue_set_playing (GstWsSrcQueue * q, gboolean playing)
{
  QUEUE_LOCK (q);
  q->playing = playing;
  if (!playing)
    drop_where (q, 0);
  QUEUE_UNLOCK (q);
}

void
gst_ws_src_queue_set_flushing (GstWsSrcQueue * q, gboolean flushing)
{
  QUEUE_LOCK (q);
  q->flushing = flushing;
  g_cond_broadcast (&q->cond);
  QUEUE_UNLOCK (q);
}

void
gst_ws_src_queue_drop (GstWsSrcQueue * q, guint talker)
{
  QUEUE_LOCK (q);
  drop_where (q, talker);
  QUEUE_UNLOCK (q);
}

gboolean
gst_ws_src_queue_push (GstWsSrcQueue * q, GstWsSrcChunk * chunk, gsize limit,
    guint * dropped, gboolean * first_drop)
{
  *dropped = 0;
  *first_drop = FALSE;
  QUEUE_LOCK (q);
  if (!q->playing) {
    QUEUE_UNLOCK (q);
    gst_ws_src_chunk_free (chunk);
    return FALSE;
  }
  g_queue_push_tail (&q->chunks, chunk);
  q->bytes += chunk_size (chunk);
  /* The streaming thread is behind: the oldest data is the least useful. */
  while (q->bytes > limit && q->chunks.length > 1) {
    GstWsSrcChunk *old = g_queue_pop_head (&q->chunks);

    q->bytes -= chunk_size (old);
    gst_ws_src_chunk_free (old);
    (*dropped)++;
  }
  if (*dropped > 0 || q->discont)
    ((GstWsSrcChunk *) g_queue_peek_head (&q->chunks))->discont = TRUE;
  q->discont = FALSE;
  *first_drop = *dropped > 0 && !q->overflowing;
  q->overflowing = *dropped > 0 || (q->overflowing && q->chunks.length > 1);
  g_cond_signal (&q->cond);
  QUEUE_UNLOCK (q);
  return TRUE;
}

static gboolean
timer_cb (GstClock * clock, GstClockTime time, GstClockID id, gpointer data)
{
  GstWsSrcQueue *q = data;

  QUEUE_LOCK (q);
  if (q->timer == id) {
    q->timed_out = TRUE;
    g_cond_broadcast (&q->cond);
  }
  QUEUE_UNLOCK (q);
  return TRUE;
}

/* Lock held: arms the timer, unless the deadline is past (FALSE). */
static gboolean
arm_timer (GstWsSrcQueue * q, GstClock * clock, GstClockTime deadline)
{
  GstClockID id;

  if (gst_clock_get_time (clock) >= deadline)
    return FALSE;
  id = gst_clock_new_single_shot_id (clock, deadline);
  q->timer = id;
  q->timed_out = FALSE;
  /* The callback takes the lock. */
  QUEUE_UNLOCK (q);
  if (gst_clock_id_wait_async (id, timer_cb, q, NULL) != GST_CLOCK_OK) {
    QUEUE_LOCK (q);
    q->timed_out = TRUE;
    return TRUE;
  }
  QUEUE_LOCK (q);
  return TRUE;
}

/* Lock held. */
static void
disarm_timer (GstWsSrcQueue * q)
{
  GstClockID id = q->timer;

  if (id == NULL)
    return;
  q->timer = NULL;
  gst_clock_id_unschedule (id);
  gst_clock_id_unref (id);
}

GstWsSrcQueueResult
gst_ws_src_queue_pop (GstWsSrcQueue * q, GstClock * clock,
    GstClockTime deadline, GstWsSrcChunk ** chunk, gboolean * more)
{
  GstWsSrcQueueResult result = GST_WS_SRC_QUEUE_OK;

  QUEUE_LOCK (q);
  if (g_queue_is_empty (&q->chunks) && !q->flushing && clock != NULL
      && GST_CLOCK_TIME_IS_VALID (deadline) && !arm_timer (q, clock, deadline))
    result = GST_WS_SRC_QUEUE_TIMEOUT;
  while (result == GST_WS_SRC_QUEUE_OK && g_queue_is_empty (&q->chunks)
      && !q->flushing) {
    if (q->timer != NULL && q->timed_out)
      result = GST_WS_SRC_QUEUE_TIMEOUT;
    else
      g_cond_wait (&q->cond, &q->lock);
  }
  disarm_timer (q);
  if (q->flushing) {
    result = GST_WS_SRC_QUEUE_FLUSHING;
  } else if (result == GST_WS_SRC_QUEUE_OK) {
    *chunk = g_queue_pop_head (&q->chunks);
    q->bytes -= chunk_size (*chunk);
    *more = !g_queue_is_empty (&q->chunks);
  }
  QUEUE_UNLOCK (q);
  return result;
}

gboolean
gst_ws_src_queue_sleep (GstWsSrcQueue * q, GstClock * clock,
    GstClockTime until)
{
  gboolean flushing;

  QUEUE_LOCK (q);
  if (!q->flushing && arm_timer (q, clock, until)) {
    /* A push signals too: only the timer or a flush ends the sleep. */
    while (!q->timed_out && !q->flushing)
      g_cond_wait (&q->cond, &q->lock);
  }
  disarm_timer (q);
  flushing = q->flushing;
  QUEUE_UNLOCK (q);
  return !flushing;
}

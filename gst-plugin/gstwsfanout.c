/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <string.h>

#include "gstwsfanout.h"
#include "gstwspeer.h"

GST_DEBUG_CATEGORY_STATIC (ws_fanout_debug);
#define GST_CAT_DEFAULT ws_fanout_debug

#ifdef __GNUC__
#define PREFETCH(p) __builtin_prefetch (p)
#else
#define PREFETCH(p) ((void) (p))
#endif

struct _GstWsMessage
{
  /* What the peers write: the header and payload in one block (header_len
   * 0), so that a client's write is one send() of one vector. */
  GstWsFrame frame;
  guint payload_offset;         /* where the payload starts in it */
  gint ref;
  gboolean delta;
  gint64 arrival;               /* monotonic µs when queued */
  guint64 seq;
  guint64 bytes_before;         /* bytes queued before it: lag in bytes */
  gsize size;                   /* header and payload */
};

typedef struct
{
  GstWsFanout *fanout;
  GList link;
  GstWsPeer *peer;
  guint64 seq;                  /* next ring message to send */
  gboolean need_sync;           /* waiting for a non-delta message */
  guint64 skipped;
} Client;

struct _GstWsFanout
{
  GstWsFanoutHooks hooks;
  gpointer user_data;
  GstWsFanoutLimits limits;
  GQueue clients;
  GPtrArray *ring;              /* messages first_seq .. next_seq - 1 */
  guint64 first_seq;
  guint64 next_seq;
  guint64 queued_bytes;
  GPtrArray *headers;
  guint64 bytes_sent;
  /* Whether the stream has sync points at all: audio-only mpegtsmux output,
   * for one, flags every buffer as a delta unit. */
  gboolean has_sync_points;
};

GstWsMessage *
gst_ws_message_new_from_buffer (GstBuffer * buffer)
{
  GstWsMessage *msg = g_new0 (GstWsMessage, 1);
  gsize len = gst_buffer_get_size (buffer);
  guint8 header[GST_WS_MAX_SERVER_HEADER];
  guint header_len = gst_ws_frame_header (header, GST_WS_OP_BINARY, len);
  guint8 *wire = g_malloc (header_len + len);

  memcpy (wire, header, header_len);
  /* The copy that also joins a merged list's memories. */
  gst_buffer_extract (buffer, 0, wire + header_len, len);
  msg->ref = 1;
  msg->delta = GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  msg->payload_offset = header_len;
  msg->frame.header_len = 0;
  msg->frame.payload = g_bytes_new_take (wire, header_len + len);
  msg->size = header_len + len;
  return msg;
}

GstWsMessage *
gst_ws_message_ref (GstWsMessage * msg)
{
  g_atomic_int_inc (&msg->ref);
  return msg;
}

void
gst_ws_message_unref (GstWsMessage * msg)
{
  if (!g_atomic_int_dec_and_test (&msg->ref))
    return;
  gst_ws_frame_clear (&msg->frame);
  g_free (msg);
}

const guint8 *
gst_ws_message_payload (GstWsMessage * msg, gsize * len)
{
  const guint8 *wire = g_bytes_get_data (msg->frame.payload, len);

  *len -= msg->payload_offset;
  return wire + msg->payload_offset;
}

static GstWsMessage *
ring_at (GstWsFanout * f, guint64 seq)
{
  return g_ptr_array_index (f->ring, seq - f->first_seq);
}

/* The peer's write path: the ring from the client's position on. */
static guint
client_peek (gpointer data, const GstWsFrame ** frames, guint max)
{
  Client *c = data;
  GstWsFanout *f = c->fanout;
  guint n = 0;
  guint64 s;

  for (s = c->seq; s < f->next_seq && n < max; s++)
    frames[n++] = &ring_at (f, s)->frame;
  return n;
}

static void
client_consumed (gpointer data, guint n_frames, gsize n_bytes)
{
  Client *c = data;

  c->seq += n_frames;
  c->fanout->bytes_sent += n_bytes;
}

static void
client_remove (Client * c, const gchar * why)
{
  GstWsFanout *f = c->fanout;
  gchar *peer = g_strdup (gst_ws_peer_get_name (c->peer));

  GST_INFO ("client %s gone: %s (skipped %" G_GUINT64_FORMAT " messages)",
      peer, why, c->skipped);
  g_queue_unlink (&f->clients, &c->link);
  gst_ws_peer_free (c->peer);
  g_free (c);
  f->hooks.clients_changed (f->user_data, peer, FALSE, f->clients.length);
  g_free (peer);
}

static void
client_gone (gpointer data, const gchar * why)
{
  client_remove (data, why);
}

static const GstWsPeerHooks client_hooks = {
  NULL, client_gone, client_peek, client_consumed
};

GstWsFanout *
gst_ws_fanout_new (const GstWsFanoutHooks * hooks, gpointer user_data)
{
  GstWsFanout *f = g_new0 (GstWsFanout, 1);

  if (ws_fanout_debug == NULL)
    GST_DEBUG_CATEGORY_INIT (ws_fanout_debug, "wsfanout", 0,
        "websocketsink client bookkeeping");
  f->hooks = *hooks;
  f->user_data = user_data;
  f->ring = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_ws_message_unref);
  f->headers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_ws_message_unref);
  f->limits.max_lag_us = G_USEC_PER_SEC;
  g_queue_init (&f->clients);
  return f;
}

void
gst_ws_fanout_free (GstWsFanout * f)
{
  gst_ws_fanout_close_all (f, GST_WS_CLOSE_GOING_AWAY);
  g_ptr_array_unref (f->ring);
  g_ptr_array_unref (f->headers);
  g_free (f);
}

void
gst_ws_fanout_set_limits (GstWsFanout * f, const GstWsFanoutLimits * limits)
{
  f->limits = *limits;
}

void
gst_ws_fanout_add (GstWsFanout * f, GIOStream * stream, const gchar * peer)
{
  Client *c = g_new0 (Client, 1);
  GstWsMessage *header;
  guint i;

  c->fanout = f;
  c->link.data = c;
  c->seq = f->next_seq;
  c->need_sync = TRUE;
  /* What clients send is of no use here: skipped, never stored. */
  c->peer = gst_ws_peer_new (stream, peer, 0, &client_hooks, c);
  for (i = 0; i < f->headers->len; i++) {
    header = g_ptr_array_index (f->headers, i);
    gst_ws_peer_queue (c->peer, &header->frame);
  }
  g_queue_push_tail_link (&f->clients, &c->link);
  GST_INFO ("client %s joined (%u clients)", peer, f->clients.length);
  f->hooks.clients_changed (f->user_data, peer, TRUE, f->clients.length);
  gst_ws_peer_wake (c->peer);
}

void
gst_ws_fanout_set_headers (GstWsFanout * f, GPtrArray * headers)
{
  guint i;

  g_ptr_array_set_size (f->headers, 0);
  f->has_sync_points = FALSE;
  for (i = 0; headers && i < headers->len; i++)
    g_ptr_array_add (f->headers,
        gst_ws_message_ref (g_ptr_array_index (headers, i)));
}

/* Applies the slow-client policy to an open client; FALSE when it is too far
 * behind and was closed. */
static gboolean
client_check_lag (Client * c, GstWsMessage * newest)
{
  GstWsFanout *f = c->fanout;
  GstWsMessage *oldest;

  if (c->seq >= newest->seq)
    return TRUE;
  oldest = ring_at (f, c->seq);
  if (newest->arrival - oldest->arrival <= (gint64) f->limits.max_lag_us
      && (f->limits.max_lag_bytes == 0
          || f->queued_bytes - oldest->bytes_before <= f->limits.max_lag_bytes))
    return TRUE;
  if (f->limits.policy == GST_WS_SLOW_CLIENT_DISCONNECT) {
    gst_ws_peer_close (c->peer, GST_WS_CLOSE_POLICY_VIOLATION,
        "client too slow");
    return FALSE;
  }
  GST_DEBUG ("client %s too slow: skipping %" G_GUINT64_FORMAT " messages",
      gst_ws_peer_get_name (c->peer), newest->seq - c->seq);
  c->skipped += newest->seq - c->seq;
  c->seq = newest->seq;
  c->need_sync = TRUE;
  return TRUE;
}

/* Drops the ring's messages before @min: every open client has sent them. */
static void
trim_ring_to (GstWsFanout * f, guint64 min)
{
  if (min > f->first_seq) {
    g_ptr_array_remove_range (f->ring, 0, min - f->first_seq);
    f->first_seq = min;
  }
}

/* Drops the messages every client has passed. */
static void
trim_ring (GstWsFanout * f)
{
  guint64 min = f->next_seq;
  GList *l;

  for (l = f->clients.head; l; l = l->next) {
    Client *c = l->data;

    /* A closing client sends no more of the ring. */
    if (gst_ws_peer_is_open (c->peer))
      min = MIN (min, c->seq);
  }
  trim_ring_to (f, min);
}

void
gst_ws_fanout_queue (GstWsFanout * f, GstWsMessage * msg)
{
  msg->seq = f->next_seq++;
  msg->arrival = g_get_monotonic_time ();
  msg->bytes_before = f->queued_bytes;
  f->queued_bytes += msg->size;
  g_ptr_array_add (f->ring, msg);
  f->has_sync_points |= !msg->delta;
}

/* A client starts at a message that can be decoded on its own, where the
 * stream has such messages. */
static void
client_sync (Client * c)
{
  GstWsFanout *f = c->fanout;

  while (c->need_sync && c->seq < f->next_seq) {
    if (ring_at (f, c->seq)->delta && f->has_sync_points)
      c->seq++;
    else
      c->need_sync = FALSE;
  }
}

/* One pass over the clients for everything queued since the last one: a
 * server thread that fell behind writes several messages to each client
 * with one writev instead of one each.  The pass also finds what the ring
 * can drop, and loads the next clients into the cache while the kernel
 * takes this one's write: with thousands of clients each one is cold. */
void
gst_ws_fanout_flush (GstWsFanout * f)
{
  GstWsMessage *newest;
  guint64 min = f->next_seq;
  GList *l, *next;

  if (f->next_seq == f->first_seq)
    return;
  newest = ring_at (f, f->next_seq - 1);
  for (l = f->clients.head; l; l = next) {
    Client *c = l->data;

    /* The next client was loaded one round ago; the one after it now. */
    next = l->next;
    if (next != NULL) {
      gst_ws_peer_prefetch (((Client *) next->data)->peer);
      if (next->next != NULL)
        PREFETCH (next->next->data);
    }
    if (!gst_ws_peer_is_open (c->peer) || !client_check_lag (c, newest))
      continue;
    client_sync (c);
    gst_ws_peer_wake (c->peer);
    /* A peer that failed is removed later, from an idle source. */
    if (gst_ws_peer_is_open (c->peer))
      min = MIN (min, c->seq);
  }
  trim_ring_to (f, min);
}

void
gst_ws_fanout_push (GstWsFanout * f, GstWsMessage * msg)
{
  gst_ws_fanout_queue (f, msg);
  gst_ws_fanout_flush (f);
}

void
gst_ws_fanout_close_all (GstWsFanout * f, gushort code)
{
  Client *c;

  /* The close frame goes if the socket takes it at once; no waiting. */
  while ((c = g_queue_peek_head (&f->clients)) != NULL) {
    gst_ws_peer_close (c->peer, code, NULL);
    client_remove (c, "server stopping");
  }
  trim_ring (f);
}

guint
gst_ws_fanout_count (GstWsFanout * f)
{
  return f->clients.length;
}

guint64
gst_ws_fanout_take_bytes_sent (GstWsFanout * f)
{
  guint64 sent = f->bytes_sent;

  f->bytes_sent = 0;
  return sent;
}

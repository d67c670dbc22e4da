/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstwsfanout.h"
#include "gstwsframe.h"

GST_DEBUG_CATEGORY_STATIC (ws_fanout_debug);
#define GST_CAT_DEFAULT ws_fanout_debug

/* Messages one writev() may carry; two vectors each (header, payload). */
#define MAX_PLAN 16
/* Pongs and other control frames a client may have waiting at once. */
#define MAX_EXTRAS 16
/* How long a closing client may take to accept its close frame. */
#define CLOSE_TIMEOUT_MS 2000
#define READ_CHUNK 4096

struct _GstWsMessage
{
  gint ref;
  gboolean delta;
  gint64 arrival;               /* monotonic µs when queued */
  guint64 seq;
  guint64 bytes_before;         /* bytes queued before it: lag in bytes */
  guint header_len;
  guint8 header[GST_WS_MAX_SERVER_HEADER];
  GBytes *payload;
  gsize size;                   /* header_len + payload */
};

typedef struct
{
  GstWsFanout *fanout;
  GList link;
  GIOStream *stream;
  GPollableInputStream *in;
  GPollableOutputStream *out;
  GSource *read_source;
  GSource *write_source;
  GSource *close_timeout;
  gchar *peer;
  GstWsFrameReader reader;
  GstWsMessage *current;        /* partly written; sent before anything */
  gsize offset;                 /* bytes of current already written */
  GQueue extras;                /* headers and control frames, before ring */
  guint64 seq;                  /* next ring message to send */
  gboolean need_sync;           /* waiting for a non-delta message */
  gboolean closing;             /* close frame queued: no more data */
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

typedef enum
{
  FROM_CURRENT,
  FROM_EXTRAS,
  FROM_RING
} Origin;

typedef struct
{
  GstWsMessage *msg;
  gsize offset;
  Origin origin;
} Planned;

static gboolean client_flush (Client * c);

GstWsMessage *
gst_ws_message_new (guint8 opcode, GBytes * payload, gboolean delta)
{
  GstWsMessage *msg = g_new0 (GstWsMessage, 1);

  msg->ref = 1;
  msg->delta = delta;
  msg->payload = payload;
  msg->header_len = gst_ws_frame_header (msg->header, opcode,
      g_bytes_get_size (payload));
  msg->size = msg->header_len + g_bytes_get_size (payload);
  return msg;
}

/* A frame built elsewhere (control frames): all of it is "payload". */
static GstWsMessage *
message_new_framed (GBytes * frame)
{
  GstWsMessage *msg = g_new0 (GstWsMessage, 1);

  msg->ref = 1;
  msg->payload = frame;
  msg->size = g_bytes_get_size (frame);
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
  g_bytes_unref (msg->payload);
  g_free (msg);
}

const guint8 *
gst_ws_message_payload (GstWsMessage * msg, gsize * len)
{
  return g_bytes_get_data (msg->payload, len);
}

/* The vectors for @msg from byte @offset on; returns how many (1 or 2). */
static guint
message_vectors (GstWsMessage * msg, gsize offset, GOutputVector * v)
{
  gsize plen;
  const guint8 *pdata = g_bytes_get_data (msg->payload, &plen);
  guint n = 0;

  if (offset < msg->header_len) {
    v[n].buffer = msg->header + offset;
    v[n++].size = msg->header_len - offset;
    offset = 0;
  } else {
    offset -= msg->header_len;
  }
  v[n].buffer = pdata + offset;
  v[n++].size = plen - offset;
  return n;
}

static GstWsMessage *
ring_at (GstWsFanout * f, guint64 seq)
{
  return g_ptr_array_index (f->ring, seq - f->first_seq);
}

static guint
build_plan (Client * c, Planned * plan, GOutputVector * vec, guint * nvec)
{
  GstWsFanout *f = c->fanout;
  guint n = 0;
  GList *l;
  guint64 s;

  *nvec = 0;
  if (c->current) {
    plan[n++] = (Planned) {
    c->current, c->offset, FROM_CURRENT};
  }
  for (l = c->extras.head; l && n < MAX_PLAN; l = l->next) {
    plan[n++] = (Planned) {
    l->data, 0, FROM_EXTRAS};
  }
  for (s = c->seq; !c->closing && s < f->next_seq && n < MAX_PLAN; s++) {
    plan[n++] = (Planned) {
    ring_at (f, s), 0, FROM_RING};
  }
  for (guint i = 0; i < n; i++)
    *nvec += message_vectors (plan[i].msg, plan[i].offset, vec + *nvec);
  return n;
}

static void
finish_planned (Client * c, const Planned * p)
{
  if (p->origin == FROM_CURRENT) {
    g_clear_pointer (&c->current, gst_ws_message_unref);
    c->offset = 0;
  } else if (p->origin == FROM_EXTRAS) {
    gst_ws_message_unref (g_queue_pop_head (&c->extras));
  } else {
    c->seq++;
  }
}

static void
keep_partial (Client * c, const Planned * p, gsize offset)
{
  if (p->origin == FROM_EXTRAS)
    c->current = g_queue_pop_head (&c->extras);
  else if (p->origin == FROM_RING) {
    c->current = gst_ws_message_ref (p->msg);
    c->seq++;
  }
  c->offset = offset;
}

/* Accounts @written bytes against the plan; TRUE when all of it went. */
static gboolean
consume_plan (Client * c, const Planned * plan, guint n, gsize written)
{
  guint i;

  for (i = 0; i < n; i++) {
    gsize left = plan[i].msg->size - plan[i].offset;

    if (written < left) {
      if (written > 0 || plan[i].origin == FROM_CURRENT)
        keep_partial (c, &plan[i], plan[i].offset + written);
      return FALSE;
    }
    written -= left;
    finish_planned (c, &plan[i]);
  }
  return TRUE;
}

static void
client_free (Client * c)
{
  g_queue_clear_full (&c->extras, (GDestroyNotify) gst_ws_message_unref);
  g_clear_pointer (&c->current, gst_ws_message_unref);
  g_free (c->peer);
  g_free (c);
}

static void
destroy_source (GSource ** source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
client_remove (Client * c, const gchar * why)
{
  GstWsFanout *f = c->fanout;
  GSocket *sock = g_object_get_data (G_OBJECT (c->stream), "GSocket");

  GST_INFO ("client %s gone: %s (skipped %" G_GUINT64_FORMAT " messages)",
      c->peer, why, c->skipped);
  destroy_source (&c->read_source);
  destroy_source (&c->write_source);
  destroy_source (&c->close_timeout);
  g_queue_unlink (&f->clients, &c->link);
  /* A TLS close writes close_notify with blocking I/O: never wait long. */
  if (sock)
    g_socket_set_timeout (sock, 1);
  g_io_stream_close (c->stream, NULL, NULL);
  g_object_unref (c->stream);
  f->hooks.clients_changed (f->user_data, c->peer, FALSE,
      f->clients.length);
  client_free (c);
}

static gboolean
writable_cb (GObject * stream, gpointer data)
{
  Client *c = data;

  g_clear_pointer (&c->write_source, g_source_unref);
  client_flush (c);
  return G_SOURCE_REMOVE;
}

static void
wait_writable (Client * c)
{
  if (c->write_source)
    return;
  c->write_source = g_pollable_output_stream_create_source (c->out, NULL);
  g_source_set_callback (c->write_source, G_SOURCE_FUNC (writable_cb), c, NULL);
  g_source_attach (c->write_source, g_main_context_get_thread_default ());
}

/* Writes as much as the socket takes without blocking. Returns FALSE when the
 * client is gone (closed or failed). */
static gboolean
client_flush (Client * c)
{
  Planned plan[MAX_PLAN];
  GOutputVector vec[2 * MAX_PLAN];
  g_autoptr (GError) error = NULL;
  guint n, nvec;
  gsize written;
  GPollableReturn ret;

  while ((n = build_plan (c, plan, vec, &nvec)) > 0) {
    ret = g_pollable_output_stream_writev_nonblocking (c->out, vec, nvec,
        &written, NULL, &error);
    if (ret == G_POLLABLE_RETURN_FAILED) {
      client_remove (c, error->message);
      return FALSE;
    }
    if (ret == G_POLLABLE_RETURN_WOULD_BLOCK)
      written = 0;
    c->fanout->bytes_sent += written;
    if (!consume_plan (c, plan, n, written)) {
      wait_writable (c);
      return TRUE;
    }
  }
  destroy_source (&c->write_source);
  if (c->closing) {
    client_remove (c, "closed");
    return FALSE;
  }
  return TRUE;
}

static gboolean
close_timeout_cb (gpointer data)
{
  Client *c = data;

  g_clear_pointer (&c->close_timeout, g_source_unref);
  client_remove (c, "close frame not accepted in time");
  return G_SOURCE_REMOVE;
}

/* Queues a close frame after what is partly written and stops sending data;
 * the connection ends once it is out (or after a timeout). */
static gboolean
client_start_close (Client * c, gushort code, const gchar * reason)
{
  if (c->closing)
    return TRUE;
  GST_DEBUG ("closing %s with %u (%s)", c->peer, code, reason);
  c->closing = TRUE;
  destroy_source (&c->read_source);
  g_queue_clear_full (&c->extras, (GDestroyNotify) gst_ws_message_unref);
  g_queue_push_tail (&c->extras,
      message_new_framed (gst_ws_frame_close (code, reason)));
  c->close_timeout = g_timeout_source_new (CLOSE_TIMEOUT_MS);
  g_source_set_callback (c->close_timeout, close_timeout_cb, c, NULL);
  g_source_attach (c->close_timeout, g_main_context_get_thread_default ());
  if (c->write_source)
    return TRUE;
  return client_flush (c);
}

static gboolean
client_send_control (Client * c, guint8 opcode, const guint8 * payload,
    guint len)
{
  if (c->extras.length >= MAX_EXTRAS)
    return client_start_close (c, GST_WS_CLOSE_POLICY_VIOLATION,
        "too many control frames");
  g_queue_push_tail (&c->extras,
      message_new_framed (gst_ws_frame_control (opcode, payload, len)));
  return c->write_source ? TRUE : client_flush (c);
}

/* Returns FALSE when the client is gone. */
static gboolean
client_handle_event (Client * c, const GstWsEvent * ev)
{
  switch (ev->type) {
    case GST_WS_EVENT_PING:
      return client_send_control (c, GST_WS_OP_PONG, ev->payload, ev->len);
    case GST_WS_EVENT_CLOSE:
      return client_start_close (c, ev->code == GST_WS_CLOSE_NO_STATUS ?
          GST_WS_CLOSE_NORMAL : ev->code, NULL);
    case GST_WS_EVENT_ERROR:
      return client_start_close (c, ev->code, "protocol error");
    default:
      return TRUE;
  }
}

static gboolean
readable_cb (GObject * stream, gpointer data)
{
  Client *c = data;
  guint8 buf[READ_CHUNK];
  g_autoptr (GError) error = NULL;
  GstWsEvent ev;
  gssize n, used;

  while (!c->closing) {
    n = g_pollable_input_stream_read_nonblocking (c->in, buf, sizeof (buf),
        NULL, &error);
    if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      return G_SOURCE_CONTINUE;
    if (n <= 0) {
      client_remove (c, n == 0 ? "peer closed the connection" :
          error->message);
      return G_SOURCE_REMOVE;
    }
    for (used = 0; used < n && !c->closing;) {
      used += gst_ws_frame_reader_feed (&c->reader, buf + used, n - used, &ev);
      if (!client_handle_event (c, &ev))
        return G_SOURCE_REMOVE;
    }
  }
  return G_SOURCE_REMOVE;
}

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
  guint i;

  c->fanout = f;
  c->link.data = c;
  c->stream = stream;
  c->in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (stream));
  c->out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (stream));
  c->peer = g_strdup (peer);
  c->seq = f->next_seq;
  c->need_sync = TRUE;
  gst_ws_frame_reader_init (&c->reader);
  for (i = 0; i < f->headers->len; i++)
    g_queue_push_tail (&c->extras,
        gst_ws_message_ref (g_ptr_array_index (f->headers, i)));
  g_queue_push_tail_link (&f->clients, &c->link);
  c->read_source = g_pollable_input_stream_create_source (c->in, NULL);
  g_source_set_callback (c->read_source, G_SOURCE_FUNC (readable_cb), c, NULL);
  g_source_attach (c->read_source, g_main_context_get_thread_default ());
  GST_INFO ("client %s joined (%u clients)", peer, f->clients.length);
  f->hooks.clients_changed (f->user_data, peer, TRUE, f->clients.length);
  if (c->extras.length > 0)
    client_flush (c);
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

/* Applies the slow-client policy to a client that is too far behind.
 * Returns FALSE when the client is gone. */
static gboolean
client_check_lag (Client * c, GstWsMessage * newest)
{
  GstWsFanout *f = c->fanout;
  GstWsMessage *oldest;

  if (c->closing || c->seq >= newest->seq)
    return TRUE;
  oldest = ring_at (f, c->seq);
  if (newest->arrival - oldest->arrival <= (gint64) f->limits.max_lag_us
      && (f->limits.max_lag_bytes == 0
          || f->queued_bytes - oldest->bytes_before <= f->limits.max_lag_bytes))
    return TRUE;
  if (f->limits.policy == GST_WS_SLOW_CLIENT_DISCONNECT)
    return client_start_close (c, GST_WS_CLOSE_POLICY_VIOLATION,
        "client too slow");
  GST_DEBUG ("client %s too slow: skipping %" G_GUINT64_FORMAT " messages",
      c->peer, newest->seq - c->seq);
  c->skipped += newest->seq - c->seq;
  c->seq = newest->seq;
  c->need_sync = TRUE;
  return TRUE;
}

/* Drops the messages every client has passed. */
static void
trim_ring (GstWsFanout * f)
{
  guint64 min = f->next_seq;
  GList *l;

  for (l = f->clients.head; l; l = l->next) {
    Client *c = l->data;

    if (!c->closing)
      min = MIN (min, c->seq);
  }
  if (min > f->first_seq) {
    g_ptr_array_remove_range (f->ring, 0, min - f->first_seq);
    f->first_seq = min;
  }
}

void
gst_ws_fanout_push (GstWsFanout * f, GstWsMessage * msg)
{
  GList *l, *next;

  msg->seq = f->next_seq++;
  msg->arrival = g_get_monotonic_time ();
  msg->bytes_before = f->queued_bytes;
  f->queued_bytes += msg->size;
  g_ptr_array_add (f->ring, msg);
  f->has_sync_points |= !msg->delta;

  for (l = f->clients.head; l; l = next) {
    Client *c = l->data;

    next = l->next;
    if (!client_check_lag (c, msg))
      continue;
    /* A client starts at a buffer that can be decoded on its own, where the
     * stream has such buffers. */
    if (c->need_sync && c->seq == msg->seq) {
      if (msg->delta && f->has_sync_points)
        c->seq++;
      else
        c->need_sync = FALSE;
    }
    if (c->write_source == NULL)
      client_flush (c);
  }
  trim_ring (f);
}

void
gst_ws_fanout_close_all (GstWsFanout * f, gushort code)
{
  Client *c;

  while ((c = g_queue_peek_head (&f->clients)) != NULL) {
    if (client_start_close (c, code, NULL))
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

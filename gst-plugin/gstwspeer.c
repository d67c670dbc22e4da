/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* The transport of one client connection, shared by websocketsink (which
 * mostly writes) and websocketsrc (which mostly reads).
 *
 * Writing: each round builds a plan of at most MAX_PLAN frames — the rest of
 * the partly written frame, the peer's own frames (pongs, stream headers, the
 * close frame), then what the owner's peek() offers — and hands their
 * vectors to one non-blocking writev(). What went out is accounted frame by
 * frame; a frame cut short becomes the current frame (the peer refs its
 * payload, so the owner may drop it), and the peer waits for the socket to
 * become writable again. Nothing is ever copied per client.
 *
 * Reading: bytes go through a GstWsFrameReader; whole messages go to the
 * owner, pings are answered, bad input closes with the reader's code. A
 * timer runs while the reader is inside a frame or a fragmented message,
 * so a client that stops mid-message cannot hold its slot for ever.
 *
 * Closing: a close frame goes after what is partly written, and nothing
 * after it. After bad input (1002, 1007, 1009, a pong flood) the connection
 * ends as soon as the frame is out; otherwise input is read and dropped
 * until the client's close frame or end of stream, so that the kernel does
 * not reset a connection with unread data, which can lose our close frame
 * on the client's side (a replaced talker would see 1006, not 1000). Either
 * way GST_WS_PEER_CLOSE_TIMEOUT_MS bounds it.
 *
 * Plain TCP connections (no TLS) take a shorter path: their input readiness
 * comes from one epoll set per main context (a PeerPoller) instead of one
 * GSource per socket, and they are written with sendmsg() on the socket's
 * descriptor. With a GSource each, every main-loop iteration polls and
 * checks every client (thousands of descriptors per wake-up, dozens of
 * wake-ups a second) and made a reconnect storm quadratic; GIO's writev adds
 * cancellable and timeout checks around the same sendmsg(). Together they
 * were 45 % of the fan-out's CPU (README.md, Benchmark). TLS connections keep
 * the GIO path.
 *
 * Ownership: the owner holds the peer until gst_ws_peer_free(). gone() is
 * always delivered from an idle source, so no owner call ever re-enters the
 * owner; message() runs from the read source, with a reference held so that
 * the owner may free the peer inside it. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <gst/gst.h>

#include "gstwspeer.h"

GST_DEBUG_CATEGORY_STATIC (ws_peer_debug);
#define GST_CAT_DEFAULT ws_peer_debug

/* Frames one writev() may carry; two vectors each (header, payload). */
#define MAX_PLAN 16
/* Pongs and other own frames a client may have waiting at once. */
#define MAX_OWN_FRAMES 16
#define READ_CHUNK 16384

typedef enum
{
  FROM_CURRENT,
  FROM_OWN,
  FROM_OWNER
} Origin;

typedef struct
{
  const GstWsFrame *frame;
  gsize offset;
  Origin origin;
} Planned;

/* Fields are in the order the write path touches them: a fan-out writes to
 * thousands of peers in a row, each cold in the cache, so what one write
 * reads is kept to the first two cache lines (gst_ws_peer_prefetch). */
struct _GstWsPeer
{
  gboolean closing;             /* close frame queued: nothing after it */
  gboolean finished;            /* stream closed, gone() pending or done */
  gint fd;                      /* plain TCP: its descriptor, else -1 */
  gint ref;                     /* the owner's, and one per dispatch */
  GSource *write_source;
  GstWsPeerHooks hooks;
  gpointer user_data;
  GstWsFrame current;           /* partly written (payload NULL: none) */
  gsize offset;                 /* bytes of current already written */
  GQueue own;                   /* GstWsFrame, sent before the owner's */

  const gchar *failing;         /* an error: end once the close is out */
  gboolean close_received;
  GMainContext *context;
  gchar *name;

  GIOStream *stream;            /* NULL once closed */
  GPollableInputStream *in;
  GPollableOutputStream *out;
  GSource *read_source;         /* input readiness of a TLS connection */
  gboolean reading;             /* input is watched */
  struct _PeerPoller *poller;   /* plain TCP: the context's epoll set */
  GSource *close_timeout;
  GSource *message_timeout;     /* runs while a message is incomplete */
  guint message_timeout_ms;
  GSource *gone_source;
  gchar *why;

  GstWsFrameReader reader;
};

static void peer_flush (GstWsPeer * p);
static void peer_readable (GstWsPeer * p);

/* The epoll set of one main context, shared by its plain TCP peers. */
typedef struct _PeerPoller
{
  GSource source;
  gpointer tag;                 /* of epfd in the source */
  gint epfd;
  guint users;
  GMainContext *context;
} PeerPoller;

#define POLLER_BATCH 64

static GMutex pollers_lock;
static GHashTable *pollers;     /* GMainContext → PeerPoller */

static gboolean
poller_dispatch (GSource * source, GSourceFunc callback, gpointer data)
{
  PeerPoller *poller = (PeerPoller *) source;
  struct epoll_event ev[POLLER_BATCH];
  gint n, i;

  n = epoll_wait (poller->epfd, ev, POLLER_BATCH, 0);
  /* A callback may free another peer of the batch: hold them all. */
  for (i = 0; i < n; i++)
    ((GstWsPeer *) ev[i].data.ptr)->ref++;
  for (i = 0; i < n; i++)
    peer_readable (ev[i].data.ptr);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs poller_funcs = { NULL, NULL, poller_dispatch, NULL };

static PeerPoller *
poller_get (GMainContext * context)
{
  PeerPoller *poller;
  gint epfd;

  g_mutex_lock (&pollers_lock);
  if (pollers == NULL)
    pollers = g_hash_table_new (NULL, NULL);
  poller = g_hash_table_lookup (pollers, context);
  if (poller == NULL && (epfd = epoll_create1 (EPOLL_CLOEXEC)) >= 0) {
    poller = (PeerPoller *) g_source_new (&poller_funcs, sizeof (PeerPoller));
    poller->epfd = epfd;
    poller->context = context;
    poller->tag = g_source_add_unix_fd (&poller->source, epfd, G_IO_IN);
    g_source_set_name (&poller->source, "wspeer-poller");
    g_source_attach (&poller->source, context);
    g_hash_table_insert (pollers, context, poller);
  }
  if (poller != NULL)
    poller->users++;
  g_mutex_unlock (&pollers_lock);
  return poller;
}

static void
poller_release (PeerPoller * poller)
{
  g_mutex_lock (&pollers_lock);
  if (--poller->users == 0) {
    g_hash_table_remove (pollers, poller->context);
    g_source_destroy (&poller->source);
    close (poller->epfd);
    g_source_unref (&poller->source);
  }
  g_mutex_unlock (&pollers_lock);
}

/* The socket under @stream when nothing (TLS) sits between it and us. */
static GSocket *
plain_socket (GIOStream * stream)
{
  GIOStream *s = stream, *base = NULL;
  GSocket *sock = NULL;

  while (s != NULL && sock == NULL && !G_IS_TLS_CONNECTION (s)) {
    if (G_IS_SOCKET_CONNECTION (s)) {
      sock = g_socket_connection_get_socket (G_SOCKET_CONNECTION (s));
      break;
    }
    /* libsoup hands over its SoupIOStream wrapper. */
    if (!g_object_class_find_property (G_OBJECT_GET_CLASS (s),
            "base-iostream"))
      break;
    g_object_get (s, "base-iostream", &base, NULL);
    if (base != NULL)
      g_object_unref (base);    /* held by @s */
    s = base;
  }
  return sock;
}

static void
own_frame_free (GstWsFrame * frame)
{
  gst_ws_frame_clear (frame);
  g_free (frame);
}

static void
destroy_source (GSource ** source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static GSource *
attach (GstWsPeer * p, GSource * source, GSourceFunc func)
{
  g_source_set_callback (source, func, p, NULL);
  g_source_attach (source, p->context);
  return source;
}

static void
peer_unref (GstWsPeer * p)
{
  if (--p->ref > 0)
    return;
  gst_ws_frame_reader_clear (&p->reader);
  gst_ws_frame_clear (&p->current);
  g_queue_clear_full (&p->own, (GDestroyNotify) own_frame_free);
  g_main_context_unref (p->context);
  g_free (p->name);
  g_free (p->why);
  g_free (p);
}

/* Stops all I/O and closes the connection. */
static void
stop_io (GstWsPeer * p)
{
  GSocket *sock;

  if (p->poller != NULL) {
    epoll_ctl (p->poller->epfd, EPOLL_CTL_DEL, p->fd, NULL);
    poller_release (p->poller);
    p->poller = NULL;
    p->fd = -1;
  }
  p->reading = FALSE;
  destroy_source (&p->read_source);
  destroy_source (&p->write_source);
  destroy_source (&p->close_timeout);
  destroy_source (&p->message_timeout);
  if (p->stream == NULL)
    return;
  sock = g_object_get_data (G_OBJECT (p->stream), "GSocket");
  /* A TLS close writes close_notify with blocking I/O: never wait long. */
  if (sock != NULL)
    g_socket_set_timeout (sock, 1);
  g_io_stream_close (p->stream, NULL, NULL);
  g_clear_object (&p->stream);
}

static gboolean
gone_cb (gpointer data)
{
  GstWsPeer *p = data;

  g_clear_pointer (&p->gone_source, g_source_unref);
  p->hooks.gone (p->user_data, p->why);
  return G_SOURCE_REMOVE;
}

static void
peer_finish (GstWsPeer * p, const gchar * why)
{
  if (p->finished)
    return;
  GST_DEBUG ("%s: %s", p->name, why);
  p->finished = TRUE;
  p->why = g_strdup (why);
  stop_io (p);
  p->gone_source = g_idle_source_new ();
  /* Not behind a busy stream of default-priority I/O. */
  g_source_set_priority (p->gone_source, G_PRIORITY_DEFAULT);
  attach (p, p->gone_source, gone_cb);
}

/* The vectors for @frame from byte @offset on; returns how many (1 or 2). */
static guint
frame_vectors (const GstWsFrame * frame, gsize offset, GOutputVector * v)
{
  gsize plen;
  const guint8 *pdata = g_bytes_get_data (frame->payload, &plen);
  guint n = 0;

  if (offset < frame->header_len) {
    v[n].buffer = frame->header + offset;
    v[n++].size = frame->header_len - offset;
    offset = 0;
  } else {
    offset -= frame->header_len;
  }
  v[n].buffer = pdata + offset;
  v[n++].size = plen - offset;
  return n;
}

static guint
build_plan (GstWsPeer * p, Planned * plan, GOutputVector * vec, guint * nvec)
{
  const GstWsFrame *owner[MAX_PLAN];
  guint n = 0, i, m = 0;
  GList *l;

  if (p->current.payload != NULL)
    plan[n++] = (Planned) {
    &p->current, p->offset, FROM_CURRENT};
  for (l = p->own.head; l != NULL && n < MAX_PLAN; l = l->next)
    plan[n++] = (Planned) {
    l->data, 0, FROM_OWN};
  if (!p->closing && n < MAX_PLAN && p->hooks.peek != NULL)
    m = p->hooks.peek (p->user_data, owner, MAX_PLAN - n);
  for (i = 0; i < m; i++)
    plan[n++] = (Planned) {
    owner[i], 0, FROM_OWNER};
  *nvec = 0;
  for (i = 0; i < n; i++)
    *nvec += frame_vectors (plan[i].frame, plan[i].offset, vec + *nvec);
  return n;
}

static void
finish_planned (GstWsPeer * p, const Planned * planned, guint * taken)
{
  if (planned->origin == FROM_CURRENT) {
    gst_ws_frame_clear (&p->current);
    p->offset = 0;
  } else if (planned->origin == FROM_OWN) {
    own_frame_free (g_queue_pop_head (&p->own));
  } else {
    (*taken)++;
  }
}

static void
keep_partial (GstWsPeer * p, const Planned * planned, gsize offset,
    guint * taken)
{
  GstWsFrame *own;

  if (planned->origin == FROM_OWN) {
    own = g_queue_pop_head (&p->own);
    p->current = *own;
    g_free (own);
  } else if (planned->origin == FROM_OWNER) {
    p->current = *planned->frame;
    g_bytes_ref (p->current.payload);
    (*taken)++;
  }
  p->offset = offset;
}

/* Accounts @written bytes against the plan; TRUE when all of it went.
 * @taken: how many of the owner's frames are done with. */
static gboolean
consume_plan (GstWsPeer * p, const Planned * plan, guint n, gsize written,
    guint * taken)
{
  guint i;

  for (i = 0; i < n; i++) {
    gsize left = gst_ws_frame_size (plan[i].frame) - plan[i].offset;

    if (written < left) {
      if (written > 0 || plan[i].origin == FROM_CURRENT)
        keep_partial (p, &plan[i], plan[i].offset + written, taken);
      return FALSE;
    }
    written -= left;
    finish_planned (p, &plan[i], taken);
  }
  return TRUE;
}

static gboolean
writable_cb (GObject * stream, gpointer data)
{
  GstWsPeer *p = data;

  g_clear_pointer (&p->write_source, g_source_unref);
  peer_flush (p);
  return G_SOURCE_REMOVE;
}

static void
wait_writable (GstWsPeer * p)
{
  if (p->write_source != NULL)
    return;
  p->write_source = attach (p,
      g_pollable_output_stream_create_source (p->out, NULL),
      G_SOURCE_FUNC (writable_cb));
}

/* Everything is written; a close frame among it may end the connection. */
static void
flushed (GstWsPeer * p)
{
  destroy_source (&p->write_source);
  if (p->closing && (p->failing != NULL || p->close_received))
    peer_finish (p, p->failing ? p->failing : "closed");
}

G_STATIC_ASSERT (sizeof (GOutputVector) == sizeof (struct iovec));
G_STATIC_ASSERT (G_STRUCT_OFFSET (GOutputVector, size) ==
    G_STRUCT_OFFSET (struct iovec, iov_len));

/* One non-blocking writev: sendmsg() on a plain TCP socket, else GIO. */
static GPollableReturn
peer_writev (GstWsPeer * p, GOutputVector * vec, guint nvec, gsize * written,
    GError ** error)
{
  struct msghdr msg = { 0 };
  gssize n;
  gint err;

  if (p->fd < 0)
    return g_pollable_output_stream_writev_nonblocking (p->out, vec, nvec,
        written, NULL, error);
  msg.msg_iov = (struct iovec *) vec;
  msg.msg_iovlen = nvec;
  /* One vector, a fan-out's usual write: send() spares the kernel copying
   * in the message header and vector array. */
  do
    n = nvec == 1 ? send (p->fd, vec[0].buffer, vec[0].size,
        MSG_NOSIGNAL | MSG_DONTWAIT)
        : sendmsg (p->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n >= 0) {
    *written = n;
    return G_POLLABLE_RETURN_OK;
  }
  err = errno;
  if (err == EAGAIN || err == EWOULDBLOCK)
    return G_POLLABLE_RETURN_WOULD_BLOCK;
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (err),
      g_strerror (err));
  return G_POLLABLE_RETURN_FAILED;
}

/* Writes as much as the socket takes without blocking. */
static void
peer_flush (GstWsPeer * p)
{
  Planned plan[MAX_PLAN];
  GOutputVector vec[2 * MAX_PLAN];
  g_autoptr (GError) error = NULL;
  guint n, nvec, taken;
  gsize written;
  GPollableReturn ret;
  gboolean all;

  while ((n = build_plan (p, plan, vec, &nvec)) > 0) {
    ret = peer_writev (p, vec, nvec, &written, &error);
    if (ret == G_POLLABLE_RETURN_FAILED) {
      peer_finish (p, error->message);
      return;
    }
    if (ret == G_POLLABLE_RETURN_WOULD_BLOCK)
      written = 0;
    taken = 0;
    all = consume_plan (p, plan, n, written, &taken);
    if ((taken > 0 || written > 0) && p->hooks.consumed != NULL)
      p->hooks.consumed (p->user_data, taken, written);
    if (!all) {
      wait_writable (p);
      return;
    }
  }
  flushed (p);
}

static gboolean
close_timeout_cb (gpointer data)
{
  GstWsPeer *p = data;

  g_clear_pointer (&p->close_timeout, g_source_unref);
  peer_finish (p, "close handshake not completed in time");
  return G_SOURCE_REMOVE;
}

/* @failing: NULL, or an error (a static string) that ends the connection
 * as soon as the close frame is out. */
static void
start_close (GstWsPeer * p, gushort code, const gchar * reason,
    const gchar * failing)
{
  GstWsFrame *frame;

  if (p->closing || p->finished)
    return;
  GST_DEBUG ("closing %s with %u (%s)", p->name, code, reason);
  p->closing = TRUE;
  p->failing = failing;
  g_queue_clear_full (&p->own, (GDestroyNotify) own_frame_free);
  frame = g_new0 (GstWsFrame, 1);
  gst_ws_frame_init_close (frame, code, reason);
  g_queue_push_tail (&p->own, frame);
  p->close_timeout = attach (p,
      g_timeout_source_new (GST_WS_PEER_CLOSE_TIMEOUT_MS), close_timeout_cb);
  if (p->write_source == NULL)
    peer_flush (p);
}

static void
send_pong (GstWsPeer * p, const guint8 * payload, guint len)
{
  GstWsFrame *frame;

  if (p->own.length >= MAX_OWN_FRAMES) {
    start_close (p, GST_WS_CLOSE_POLICY_VIOLATION, "too many control frames",
        "too many control frames");
    return;
  }
  frame = g_new0 (GstWsFrame, 1);
  gst_ws_frame_init (frame, GST_WS_OP_PONG, g_bytes_new (payload, len));
  g_queue_push_tail (&p->own, frame);
  if (p->write_source == NULL)
    peer_flush (p);
}

static const gchar *
error_reason (gushort code)
{
  switch (code) {
    case GST_WS_CLOSE_TOO_BIG:
      return "message too big";
    case GST_WS_CLOSE_BAD_DATA:
      return "invalid UTF-8";
    default:
      return "protocol error";
  }
}

/* The client closes: answer with its code, then end. */
static void
receive_close (GstWsPeer * p, gushort code)
{
  p->close_received = TRUE;
  if (p->closing) {
    if (p->write_source == NULL)
      flushed (p);
    return;
  }
  start_close (p, code == GST_WS_CLOSE_NO_STATUS ? GST_WS_CLOSE_NORMAL : code,
      NULL, NULL);
}

static void
handle_event (GstWsPeer * p, GstWsEvent * ev)
{
  switch (ev->type) {
    case GST_WS_EVENT_MESSAGE:
      if (!p->closing && p->hooks.message != NULL)
        p->hooks.message (p->user_data, ev->opcode, ev->message);
      break;
    case GST_WS_EVENT_PING:
      if (!p->closing)
        send_pong (p, ev->payload, ev->len);
      break;
    case GST_WS_EVENT_CLOSE:
      receive_close (p, ev->code);
      break;
    case GST_WS_EVENT_ERROR:
      GST_INFO ("%s: %s", p->name, error_reason (ev->code));
      if (p->closing)
        peer_finish (p, error_reason (ev->code));
      else
        start_close (p, ev->code, error_reason (ev->code),
            error_reason (ev->code));
      break;
    default:
      break;
  }
  gst_ws_event_clear (ev);
}

/* Past the client's close frame or an error, input is only drained. */
static void
peer_feed (GstWsPeer * p, const guint8 * data, gsize len)
{
  GstWsEvent ev;
  gsize used = 0;

  while (used < len && p->reading && !p->close_received
      && !p->reader.failed) {
    used += gst_ws_frame_reader_feed (&p->reader, data + used, len - used, &ev);
    handle_event (p, &ev);
  }
}

static gboolean
message_timeout_cb (gpointer data)
{
  GstWsPeer *p = data;

  g_clear_pointer (&p->message_timeout, g_source_unref);
  GST_INFO ("%s: message not completed within %u ms", p->name,
      p->message_timeout_ms);
  start_close (p, GST_WS_CLOSE_POLICY_VIOLATION,
      "message not completed in time", "message not completed in time");
  return G_SOURCE_REMOVE;
}

/* Arms the message timer when input stops inside a frame or a fragmented
 * message, disarms it between messages. */
static void
watch_message (GstWsPeer * p)
{
  gboolean inside = p->reader.have > 0 || p->reader.message_opcode != 0;

  if (!inside || p->closing || p->finished || p->message_timeout_ms == 0) {
    destroy_source (&p->message_timeout);
    return;
  }
  if (p->message_timeout == NULL)
    p->message_timeout = attach (p,
        g_timeout_source_new (p->message_timeout_ms), message_timeout_cb);
}

/* Reads until the socket has no more; drops the reference the caller took
 * for it. */
static void
peer_readable (GstWsPeer * p)
{
  guint8 buf[READ_CHUNK];
  g_autoptr (GError) error = NULL;
  gssize n;

  while (p->reading) {
    n = g_pollable_input_stream_read_nonblocking (p->in, buf, sizeof (buf),
        NULL, &error);
    if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      break;
    if (n <= 0) {
      peer_finish (p, n == 0 ? "the client closed the connection" :
          error->message);
      break;
    }
    peer_feed (p, buf, n);
  }
  if (!p->finished)
    watch_message (p);
  peer_unref (p);
}

static gboolean
readable_cb (GObject * stream, gpointer data)
{
  GstWsPeer *p = data;

  p->ref++;
  peer_readable (p);
  return G_SOURCE_CONTINUE;
}

static gboolean
first_read_cb (gpointer data)
{
  peer_readable (data);
  return G_SOURCE_REMOVE;
}

/* Plain TCP: the context's epoll set; else a GSource of the stream. */
static void
watch_input (GstWsPeer * p)
{
  GSocket *sock = plain_socket (p->stream);
  struct epoll_event ev = { 0 };

  p->fd = -1;
  p->reading = TRUE;
  if (sock != NULL && (p->poller = poller_get (p->context)) != NULL) {
    ev.events = EPOLLIN;
    ev.data.ptr = p;
    if (epoll_ctl (p->poller->epfd, EPOLL_CTL_ADD, g_socket_get_fd (sock),
            &ev) == 0) {
      p->fd = g_socket_get_fd (sock);
      /* What libsoup's buffered input may already hold gets no epoll
       * event: read it from the loop, never inside gst_ws_peer_new(). */
      p->ref++;
      g_source_unref (attach (p, g_idle_source_new (), first_read_cb));
      return;
    }
    poller_release (g_steal_pointer (&p->poller));
  }
  p->read_source = attach (p, g_pollable_input_stream_create_source (p->in,
          NULL), G_SOURCE_FUNC (readable_cb));
}

static GQuark
message_timeout_quark (void)
{
  return g_quark_from_static_string ("gst-ws-peer-message-timeout");
}

void
gst_ws_peer_stream_set_message_timeout (GIOStream * stream, guint timeout_ms)
{
  g_object_set_qdata (G_OBJECT (stream), message_timeout_quark (),
      GUINT_TO_POINTER (timeout_ms));
}

GstWsPeer *
gst_ws_peer_new (GIOStream * stream, const gchar * name, gsize max_message,
    const GstWsPeerHooks * hooks, gpointer user_data)
{
  static gsize debug_once = 0;
  GstWsPeer *p = g_new0 (GstWsPeer, 1);

  if (g_once_init_enter (&debug_once)) {
    GST_DEBUG_CATEGORY_INIT (ws_peer_debug, "wspeer", 0,
        "WebSocket server side of one client connection");
    g_once_init_leave (&debug_once, 1);
  }
  p->ref = 1;
  p->hooks = *hooks;
  p->user_data = user_data;
  p->context = g_main_context_ref_thread_default ();
  p->name = g_strdup (name);
  p->stream = stream;
  p->message_timeout_ms = GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT
          (stream), message_timeout_quark ()));
  p->in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (stream));
  p->out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (stream));
  gst_ws_frame_reader_init (&p->reader, max_message);
  g_queue_init (&p->own);
  watch_input (p);
  return p;
}

void
gst_ws_peer_free (GstWsPeer * p)
{
  destroy_source (&p->gone_source);
  stop_io (p);
  peer_unref (p);
}

void
gst_ws_peer_queue (GstWsPeer * p, const GstWsFrame * frame)
{
  GstWsFrame *own;

  if (p->closing || p->finished)
    return;
  own = g_new (GstWsFrame, 1);
  *own = *frame;
  g_bytes_ref (own->payload);
  g_queue_push_tail (&p->own, own);
}

void
gst_ws_peer_wake (GstWsPeer * p)
{
  if (!p->finished && p->write_source == NULL)
    peer_flush (p);
}

void
gst_ws_peer_close (GstWsPeer * p, gushort code, const gchar * reason)
{
  start_close (p, code, reason, NULL);
}

void
gst_ws_peer_prefetch (GstWsPeer * p)
{
#ifdef __GNUC__
  __builtin_prefetch (p);
  __builtin_prefetch ((const gchar *) p + 64);
#endif
}

gboolean
gst_ws_peer_is_open (GstWsPeer * p)
{
  return !p->closing && !p->finished;
}

const gchar *
gst_ws_peer_get_name (GstWsPeer * p)
{
  return p->name;
}

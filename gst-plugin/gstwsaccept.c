/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* Accepting connections for SoupServer (see gstwsaccept.h for why not
 * libsoup's own listener).
 *
 * A connection is "pending" from accept() until gst_ws_acceptor_upgraded():
 * its record holds a weak reference to the stream libsoup holds, so that a
 * connection libsoup drops (bad request, client gone) is forgotten at once,
 * and a timer that shuts the socket down when the upgrade takes too long.
 * Shutting down rather than closing lets libsoup see the end of the stream
 * and tear the connection down itself, with no descriptor closed under it.
 *
 * Out of descriptors: the spare descriptor (/dev/null) is closed, one
 * connection accepted, answered 503 and closed, and the spare reopened; so
 * the backlog drains into quick refusals instead of clients waiting on a
 * queue nobody reads, and the accept source, which is level-triggered,
 * never spins on a connection it cannot take. When that fails too
 * (another thread took the descriptor, or the system is out), accepting
 * pauses for GST_WS_ACCEPT_PAUSE_MS. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* accept4() */
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gnetworking.h>

#include <gst/gst.h>

#include "gstwsaccept.h"

GST_DEBUG_CATEGORY_STATIC (ws_accept_debug);
#define GST_CAT_DEFAULT ws_accept_debug

/* Connections taken per wake-up, so a storm does not starve the clients
 * already served. */
#define ACCEPT_BATCH 256

static const gchar refusal[] = "HTTP/1.1 503 Service Unavailable\r\n"
    "Connection: close\r\nContent-Length: 0\r\n\r\n";

struct _GstWsAcceptor
{
  GSocket *listener;
  SoupServer *soup;
  GTlsCertificate *tls;
  guint timeout_ms;
  gchar *name;                  /* the listening address, for the log */
  GMainContext *context;
  GSource *source;              /* accept readiness; NULL while paused */
  GSource *resume;              /* ends a pause */
  gint spare;                   /* given up to refuse when out of fds */
  gboolean refusing;            /* in an out-of-descriptors episode */
  GQueue pending;               /* Pending, in their handshake */
  GCancellable *cancel;         /* TLS handshakes */
};

typedef struct
{
  GList link;
  GstWsAcceptor *acceptor;
  GSocket *socket;              /* of the stream, alive as long as it */
  GIOStream *stream;            /* weak: libsoup's (or the handshake's) */
  GSource *timeout;
} Pending;

static GQuark pending_quark;

static void
pending_forget (Pending * p)
{
  g_queue_unlink (&p->acceptor->pending, &p->link);
  if (p->timeout != NULL) {
    g_source_destroy (p->timeout);
    g_source_unref (p->timeout);
  }
  g_object_set_qdata (G_OBJECT (p->socket), pending_quark, NULL);
  g_free (p);
}

/* libsoup dropped the connection before its upgrade. */
static void
pending_gone (gpointer data, GObject * where_the_object_was)
{
  pending_forget (data);
}

static gboolean
pending_timeout_cb (gpointer data)
{
  Pending *p = data;

  GST_INFO ("%s: no WebSocket upgrade within %u ms, closing",
      p->acceptor->name, p->acceptor->timeout_ms);
  g_clear_pointer (&p->timeout, g_source_unref);
  if (!g_socket_is_closed (p->socket))
    g_socket_shutdown (p->socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
pending_add (GstWsAcceptor * a, GIOStream * stream, GSocket * socket)
{
  Pending *p = g_new0 (Pending, 1);

  p->link.data = p;
  p->acceptor = a;
  p->socket = socket;
  p->stream = stream;
  g_object_weak_ref (G_OBJECT (stream), pending_gone, p);
  g_object_set_qdata (G_OBJECT (socket), pending_quark, p);
  if (a->timeout_ms > 0) {
    p->timeout = g_timeout_source_new (a->timeout_ms);
    g_source_set_callback (p->timeout, pending_timeout_cb, p, NULL);
    g_source_attach (p->timeout, a->context);
  }
  g_queue_push_tail_link (&a->pending, &p->link);
}

static void
hand_to_soup (GstWsAcceptor * a, GIOStream * stream, GSocket * socket)
{
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr (GSocketAddress) remote = g_socket_get_remote_address (socket,
      NULL);
  g_autoptr (GError) error = NULL;

  /* Both addresses are needed: libsoup has no socket to ask. */
  if (local == NULL || remote == NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  else if (!soup_server_accept_iostream (a->soup, stream, local, remote,
          &error))
    GST_INFO ("%s: %s", a->name, error->message);
}

static void
tls_done (GObject * source, GAsyncResult * result, gpointer data)
{
  GIOStream *tls = G_IO_STREAM (source);
  g_autoptr (GError) error = NULL;

  /* Cancelled: the acceptor is gone. */
  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (tls), result,
          &error))
    hand_to_soup (data, tls, g_object_get_qdata (source, pending_quark));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    GST_INFO ("%s: TLS handshake failed: %s", ((GstWsAcceptor *) data)->name,
        error->message);
  g_object_unref (tls);
}

static void
new_connection (GstWsAcceptor * a, gint fd)
{
  g_autoptr (GError) error = NULL;
  GSocket *socket;
  GIOStream *stream;
  GTlsConnection *tls;

  socket = g_socket_new_from_fd (fd, &error);
  if (socket == NULL) {
    GST_INFO ("%s: %s", a->name, error->message);
    close (fd);
    return;
  }
  /* What libsoup's listener does: the sink writes small frames. */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  stream = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  if (a->tls == NULL) {
    pending_add (a, stream, socket);
    hand_to_soup (a, stream, socket);
    g_object_unref (stream);
    g_object_unref (socket);
    return;
  }
  tls = G_TLS_CONNECTION (g_tls_server_connection_new (stream, a->tls, &error));
  g_object_unref (stream);
  if (tls == NULL) {
    GST_WARNING ("%s: %s", a->name, error->message);
    g_object_unref (socket);
    return;
  }
  g_object_set (tls, "require-close-notify", FALSE, NULL);
  pending_add (a, G_IO_STREAM (tls), socket);
  /* tls_done() finds the socket here. */
  g_object_set_qdata (G_OBJECT (tls), pending_quark, socket);
  g_tls_connection_handshake_async (tls, G_PRIORITY_DEFAULT, a->cancel,
      tls_done, a);
  g_object_unref (socket);
}

static void
refuse (gint fd)
{
  if (send (fd, refusal, sizeof refusal - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
    GST_LOG ("could not send the refusal: %s", g_strerror (errno));
  close (fd);
}

/* Out of descriptors: refuses one waiting connection with the spare one.
 * FALSE when that did not work and accepting must pause. */
static gboolean
refuse_one (GstWsAcceptor * a)
{
  gint fd, err;

  if (!a->refusing)
    GST_WARNING ("%s: out of file descriptors, refusing new connections",
        a->name);
  a->refusing = TRUE;
  if (a->spare < 0)
    return FALSE;
  close (a->spare);
  fd = accept4 (g_socket_get_fd (a->listener), NULL, NULL, SOCK_CLOEXEC);
  err = errno;
  if (fd >= 0)
    refuse (fd);
  a->spare = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  return fd >= 0 || err == EAGAIN || err == EWOULDBLOCK;
}

static void start_watch (GstWsAcceptor * a);

static gboolean
resume_cb (gpointer data)
{
  GstWsAcceptor *a = data;

  g_clear_pointer (&a->resume, g_source_unref);
  if (a->spare < 0)
    a->spare = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  start_watch (a);
  return G_SOURCE_REMOVE;
}

static void
pause_accepting (GstWsAcceptor * a)
{
  GST_DEBUG ("%s: pausing accept for %u ms", a->name, GST_WS_ACCEPT_PAUSE_MS);
  g_source_destroy (a->source);
  g_clear_pointer (&a->source, g_source_unref);
  a->resume = g_timeout_source_new (GST_WS_ACCEPT_PAUSE_MS);
  g_source_set_callback (a->resume, resume_cb, a, NULL);
  g_source_attach (a->resume, a->context);
}

static gboolean
accept_cb (GSocket * listener, GIOCondition condition, gpointer data)
{
  GstWsAcceptor *a = data;
  guint i;
  gint fd;

  for (i = 0; i < ACCEPT_BATCH; i++) {
    fd = accept4 (g_socket_get_fd (listener), NULL, NULL,
        SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      if (a->refusing)
        GST_WARNING ("%s: accepting connections again", a->name);
      a->refusing = FALSE;
      new_connection (a, fd);
      continue;
    }
    switch (errno) {
      case EAGAIN:
#if EAGAIN != EWOULDBLOCK
      case EWOULDBLOCK:
#endif
        return G_SOURCE_CONTINUE;
      case EINTR:
      case ECONNABORTED:
      case EPROTO:
      case EPERM:
        continue;               /* that connection only */
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        if (refuse_one (a))
          continue;
        break;
      default:
        GST_WARNING ("%s: accept: %s", a->name, g_strerror (errno));
        break;
    }
    pause_accepting (a);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static void
start_watch (GstWsAcceptor * a)
{
  a->source = g_socket_create_source (a->listener, G_IO_IN, NULL);
  g_source_set_callback (a->source, G_SOURCE_FUNC (accept_cb), a, NULL);
  g_source_attach (a->source, a->context);
}

GstWsAcceptor *
gst_ws_acceptor_new (GSocket * listener, SoupServer * soup,
    GTlsCertificate * tls, guint timeout_ms, const gchar * name)
{
  static gsize once = 0;
  GstWsAcceptor *a = g_new0 (GstWsAcceptor, 1);

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (ws_accept_debug, "wsaccept", 0,
        "Accepting WebSocket connections");
    pending_quark = g_quark_from_static_string ("gst-ws-acceptor-pending");
    g_once_init_leave (&once, 1);
  }
  a->listener = g_object_ref (listener);
  a->soup = g_object_ref (soup);
  a->tls = tls ? g_object_ref (tls) : NULL;
  a->timeout_ms = timeout_ms;
  a->name = g_strdup (name);
  a->context = g_main_context_ref_thread_default ();
  a->spare = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  a->cancel = g_cancellable_new ();
  g_queue_init (&a->pending);
  start_watch (a);
  return a;
}

void
gst_ws_acceptor_free (GstWsAcceptor * a)
{
  Pending *p;

  if (a->source != NULL)
    g_source_destroy (a->source);
  g_clear_pointer (&a->source, g_source_unref);
  if (a->resume != NULL)
    g_source_destroy (a->resume);
  g_clear_pointer (&a->resume, g_source_unref);
  g_cancellable_cancel (a->cancel);
  while ((p = g_queue_peek_head (&a->pending)) != NULL) {
    g_object_weak_unref (G_OBJECT (p->stream), pending_gone, p);
    pending_forget (p);
  }
  if (a->spare >= 0)
    close (a->spare);
  g_object_unref (a->cancel);
  g_main_context_unref (a->context);
  g_object_unref (a->listener);
  g_object_unref (a->soup);
  g_clear_object (&a->tls);
  g_free (a->name);
  g_free (a);
}

/* The socket at the bottom of libsoup's wrapper (and TLS). */
static GSocket *
stream_socket (GIOStream * stream)
{
  GIOStream *s = stream, *base;
  const gchar *prop;

  while (s != NULL) {
    if (G_IS_SOCKET_CONNECTION (s))
      return g_socket_connection_get_socket (G_SOCKET_CONNECTION (s));
    prop = G_IS_TLS_CONNECTION (s) ? "base-io-stream" : "base-iostream";
    if (!g_object_class_find_property (G_OBJECT_GET_CLASS (s), prop))
      return NULL;
    base = NULL;
    g_object_get (s, prop, &base, NULL);
    if (base != NULL)
      g_object_unref (base);    /* held by @s */
    s = base;
  }
  return NULL;
}

void
gst_ws_acceptor_upgraded (GstWsAcceptor * a, GIOStream * stream)
{
  GSocket *socket = stream_socket (stream);
  Pending *p = socket ? g_object_get_qdata (G_OBJECT (socket),
      pending_quark) : NULL;

  if (p == NULL)
    return;
  g_object_weak_unref (G_OBJECT (p->stream), pending_gone, p);
  pending_forget (p);
}

/* wsaudio — fault tests: raw sockets, a connect storm, pipelines
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault-util.h"
#include "wstest.h"

static struct sockaddr_in
loopback (guint port)
{
  struct sockaddr_in sa = { 0 };

  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  return sa;
}

gboolean
fault_connect_fd (gint fd, guint port)
{
  struct sockaddr_in sa = loopback (port);

  return connect (fd, (struct sockaddr *) &sa, sizeof sa) == 0;
}

gint
fault_connect (guint port, guint timeout_ms)
{
  struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
  gint fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (!fault_connect_fd (fd, port)) {
    gint err = errno;

    close (fd);
    errno = err;
    return -1;
  }
  return fd;
}

void
fault_set_read_timeout (gint fd, guint timeout_ms)
{
  struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

gboolean
fault_send (gint fd, const void *data, gsize len)
{
  const guint8 *p = data;

  while (len > 0) {
    gssize n = send (fd, p, len, MSG_NOSIGNAL);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    p += n;
    len -= n;
  }
  return TRUE;
}

/* 1: got a byte, 0: EOF or reset, -1: timeout. */
static gint
read_byte (gint fd, guint8 * byte)
{
  gssize n;

  do
    n = recv (fd, byte, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n == 1)
    return 1;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return -1;
  return 0;
}

/* 1: all @len bytes, 0: EOF or reset, -1: timeout. */
static gint
read_exact (gint fd, guint8 * buf, gsize len)
{
  gsize got = 0;

  while (got < len) {
    gssize n = recv (fd, buf + got, len - got, 0);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return -1;
    if (n <= 0)
      return 0;
    got += n;
  }
  return 1;
}

gint
fault_read_status (gint fd)
{
  gchar head[8192];
  gsize got = 0;
  gint r, status = 0;

  /* Byte by byte: nothing after the head is consumed. */
  while (got < sizeof head - 1
      && !(got >= 4 && memcmp (head + got - 4, "\r\n\r\n", 4) == 0)) {
    r = read_byte (fd, (guint8 *) head + got);
    if (r <= 0)
      return r;
    got++;
  }
  head[got] = '\0';
  if (sscanf (head, "HTTP/1.%*d %d", &status) != 1)
    return 0;
  return status;
}

gboolean
fault_upgrade (gint fd)
{
  return fault_send (fd, FAULT_REQUEST, strlen (FAULT_REQUEST))
      && fault_read_status (fd) == 101;
}

gboolean
fault_send_frame_full (gint fd, guint8 b0, gboolean masked,
    guint64 claimed_len, const guint8 * payload, gsize len)
{
  g_autofree guint8 *frame = g_malloc (WS_TEST_FRAME_HEADER_MAX + len);
  gsize n = ws_test_frame_encode (frame, b0, masked, claimed_len, payload,
      len);

  return fault_send (fd, frame, n);
}

gboolean
fault_send_frame (gint fd, guint8 b0, const guint8 * payload, gsize len)
{
  return fault_send_frame_full (fd, b0, TRUE, len, payload, len);
}

gint
fault_read_close (gint fd)
{
  guint8 hdr[10], payload[126];
  guint64 len, skip;
  guint n, i;
  gint r;
  /* A server that keeps streaming never lets a read time out. */
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  for (;;) {
    if (g_get_monotonic_time () > deadline)
      return -1;
    if ((r = read_exact (fd, hdr, 2)) <= 0)
      return r;
    len = hdr[1] & 0x7f;
    n = len == 126 ? 2 : len == 127 ? 8 : 0;
    if (n > 0 && (r = read_exact (fd, hdr + 2, n)) <= 0)
      return r;
    for (i = 0, len = n ? 0 : len; i < n; i++)
      len = (len << 8) | hdr[2 + i];
    if ((hdr[0] & 0x0f) == 0x8) {
      if (len > sizeof payload || (r = read_exact (fd, payload, len)) <= 0)
        return len > sizeof payload ? 0 : r;
      return len >= 2 ? (payload[0] << 8 | payload[1]) : 1005;
    }
    for (skip = len; skip > 0; skip -= MIN (skip, sizeof payload))
      if ((r = read_exact (fd, payload, MIN (skip, sizeof payload))) <= 0)
        return r;
  }
}

gboolean
fault_wait_closed (gint fd)
{
  guint8 buf[4096];
  gssize n;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline) {
    n = recv (fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return FALSE;
    if (n <= 0)
      return TRUE;
  }
  return FALSE;
}

gsize
fault_drain (gint fd, gboolean * closed)
{
  guint8 buf[16384];
  gsize total = 0;
  gssize n;

  *closed = FALSE;
  for (;;) {
    n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      total += n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
      *closed = TRUE;
    return total;
  }
}

gboolean
fault_raise_nofile (guint need, guint * hard)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return FALSE;
  *hard = rl.rlim_max == RLIM_INFINITY ? G_MAXUINT : rl.rlim_max;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
    return FALSE;
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
    return TRUE;
  rl.rlim_cur = rl.rlim_max;
  return setrlimit (RLIMIT_NOFILE, &rl) == 0;
}

/* utime + stime of a /proc/.../stat text; its comm in @comm. */
static gint64
stat_ticks (gchar * stat, gchar ** comm)
{
  gchar *open_paren = strchr (stat, '('), *close_paren = strrchr (stat, ')');
  guint64 utime = 0, stime = 0;

  if (open_paren == NULL || close_paren == NULL)
    return -1;
  *close_paren = '\0';
  *comm = open_paren + 1;
  /* Fields 14 and 15; the text after ") " starts at field 3. */
  if (sscanf (close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
          "%*u %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &utime, &stime) != 2)
    return -1;
  return utime + stime;
}

gint
fault_thread_stat_open (const gchar * name)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const gchar *tid;

  while (dir && (tid = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_strdup_printf ("/proc/self/task/%s/stat", tid);
    g_autofree gchar *stat = NULL;
    gchar *comm = NULL;

    if (g_file_get_contents (path, &stat, NULL, NULL)
        && stat_ticks (stat, &comm) >= 0 && g_strcmp0 (comm, name) == 0)
      return open (path, O_RDONLY | O_CLOEXEC);
  }
  return -1;
}

gint64
fault_thread_stat_ticks (gint fd)
{
  gchar stat[1024];
  gchar *comm;
  gssize n = pread (fd, stat, sizeof stat - 1, 0);

  if (n <= 0)
    return -1;
  stat[n] = '\0';
  return stat_ticks (stat, &comm);
}

/* The connect storm. */

enum
{
  CONNECTING,
  UPGRADING,
  OPEN,
  DEAD
};

typedef struct
{
  gint fd;
  gint state;
  gchar head[512];
  guint head_len;
  guint8 hdr[10];
  guint hdr_len;
  guint64 remain;
  guint64 messages;
} StormConn;

struct _FaultStorm
{
  StormConn *conns;
  guint n;
  gint ep;
  guint upgraded, receiving, dead;
};

static void
storm_kill (FaultStorm * s, StormConn * c)
{
  if (c->state == DEAD)
    return;
  epoll_ctl (s->ep, EPOLL_CTL_DEL, c->fd, NULL);
  close (c->fd);
  c->fd = -1;
  c->state = DEAD;
  s->dead++;
}

FaultStorm *
fault_storm_new (guint port, guint n)
{
  FaultStorm *s = g_new0 (FaultStorm, 1);
  struct sockaddr_in sa = loopback (port);
  guint i;

  s->conns = g_new0 (StormConn, n);
  s->n = n;
  s->ep = epoll_create1 (EPOLL_CLOEXEC);
  g_assert (s->ep >= 0);
  for (i = 0; i < n; i++) {
    StormConn *c = &s->conns[i];
    struct epoll_event ev = {.events = EPOLLOUT,.data.ptr = c };

    c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    g_assert (c->fd >= 0);
    c->state = CONNECTING;
    if (connect (c->fd, (struct sockaddr *) &sa, sizeof sa) < 0
        && errno != EINPROGRESS) {
      close (c->fd);
      c->state = DEAD;
      s->dead++;
      continue;
    }
    g_assert (epoll_ctl (s->ep, EPOLL_CTL_ADD, c->fd, &ev) == 0);
  }
  return s;
}

static void
storm_writable (FaultStorm * s, StormConn * c)
{
  struct epoll_event ev = {.events = EPOLLIN,.data.ptr = c };
  gint err = 0;
  socklen_t len = sizeof err;

  getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  /* The request is far smaller than any socket buffer. */
  if (err != 0 || send (c->fd, FAULT_REQUEST, strlen (FAULT_REQUEST),
          MSG_NOSIGNAL) != (gssize) strlen (FAULT_REQUEST)) {
    storm_kill (s, c);
    return;
  }
  c->state = UPGRADING;
  epoll_ctl (s->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Counts whole data frames in @data. */
static void
storm_frames (FaultStorm * s, StormConn * c, const guint8 * data, gsize len)
{
  gsize i = 0, take;
  guint need, n;

  while (i < len) {
    if (c->remain > 0) {
      take = MIN (c->remain, len - i);
      c->remain -= take;
      i += take;
      continue;
    }
    c->hdr[c->hdr_len++] = data[i++];
    if (c->hdr_len < 2)
      continue;
    n = c->hdr[1] & 0x7f;
    need = 2 + (n == 126 ? 2 : n == 127 ? 8 : 0);
    if (c->hdr_len < need)
      continue;
    c->remain = n < 126 ? n : 0;
    for (n = 2; n < need; n++)
      c->remain = (c->remain << 8) | c->hdr[n];
    if ((c->hdr[0] & 0x0f) == 0x2 && c->messages++ == 0)
      s->receiving++;
    c->hdr_len = 0;
  }
}

static void
storm_readable (FaultStorm * s, StormConn * c)
{
  guint8 buf[16384];
  gssize n;
  gchar *end;
  gsize used;

  while ((n = recv (c->fd, buf, sizeof buf, 0)) > 0) {
    used = 0;
    if (c->state == UPGRADING) {
      used = MIN ((gsize) n, sizeof c->head - 1 - c->head_len);
      memcpy (c->head + c->head_len, buf, used);
      c->head_len += used;
      c->head[c->head_len] = '\0';
      end = strstr (c->head, "\r\n\r\n");
      if (end == NULL) {
        if (c->head_len == sizeof c->head - 1)
          storm_kill (s, c);
        if (c->state == DEAD)
          return;
        continue;
      }
      if (!g_str_has_prefix (c->head, "HTTP/1.1 101")) {
        storm_kill (s, c);
        return;
      }
      /* What came after the head is stream already. */
      used -= c->head_len - (end + 4 - c->head);
      c->state = OPEN;
      s->upgraded++;
    }
    storm_frames (s, c, buf + used, n - used);
  }
  if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
    storm_kill (s, c);
}

void
fault_storm_poll (FaultStorm * s, gint timeout_ms)
{
  struct epoll_event ev[256];
  gint n, i;

  n = epoll_wait (s->ep, ev, G_N_ELEMENTS (ev), timeout_ms);
  for (i = 0; i < n; i++) {
    StormConn *c = ev[i].data.ptr;

    if (c->state == CONNECTING)
      storm_writable (s, c);
    else if (c->state != DEAD)
      storm_readable (s, c);
  }
}

guint
fault_storm_upgraded (FaultStorm * s)
{
  return s->upgraded;
}

guint
fault_storm_receiving (FaultStorm * s)
{
  return s->receiving;
}

guint
fault_storm_dead (FaultStorm * s)
{
  return s->dead;
}

void
fault_storm_free (FaultStorm * s)
{
  guint i;

  for (i = 0; i < s->n; i++)
    if (s->conns[i].state != DEAD)
      close (s->conns[i].fd);
  close (s->ep);
  g_free (s->conns);
  g_free (s);
}

/* Pipelines. */

static GstBusSyncReply
count_errors (GstBus * bus, GstMessage * message, gpointer data)
{
  FaultPipeline *p = data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) error = NULL;

    gst_message_parse_error (message, &error, NULL);
    g_printerr ("pipeline error: %s\n", error->message);
    g_atomic_int_inc (&p->errors);
  }
  return GST_BUS_PASS;
}

void
fault_pipeline_start (FaultPipeline * p, const gchar * desc)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstBus) bus = NULL;
  gint port = 0;

  memset (p, 0, sizeof (*p));
  p->pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  p->ws = gst_bin_get_by_name (GST_BIN (p->pipeline), "ws");
  g_assert_nonnull (p->ws);
  bus = gst_element_get_bus (p->pipeline);
  gst_bus_set_sync_handler (bus, count_errors, p, NULL);
  g_assert_cmpint (gst_element_set_state (p->pipeline, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
  /* Bound during NULL -> READY, which set_state() has run through. */
  g_object_get (p->ws, "current-port", &port, NULL);
  g_assert_cmpint (port, >, 0);
  p->port = port;
}

void
fault_pipeline_stop (FaultPipeline * p)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (p->pipeline);

  gst_element_set_state (p->pipeline, GST_STATE_NULL);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_clear_object (&p->ws);
  gst_clear_object (&p->pipeline);
}

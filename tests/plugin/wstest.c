/* wsaudio — test helpers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "wstest.h"

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

void
ws_test_iterate (void)
{
  GMainContext *ctx = g_main_context_ref_thread_default ();
  GSource *tick;

  /* Bounds the blocking iteration so that conditions changed by other
   * threads (element state, counters) are re-checked within 10 ms. */
  tick = g_timeout_source_new (10);
  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_attach (tick, ctx);
  g_main_context_iteration (ctx, TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);
  g_main_context_unref (ctx);
}

gint64
ws_test_timeout_multiplier (void)
{
  const gchar *value = g_getenv ("CK_TIMEOUT_MULTIPLIER");

  return value ? MAX (g_ascii_strtoll (value, NULL, 10), 1) : 1;
}

typedef struct
{
  gboolean done;
  SoupWebsocketConnection *conn;
} Connect;

static void
connect_done (GObject * source, GAsyncResult * res, gpointer data)
{
  Connect *c = data;

  c->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), res,
      NULL);
  c->done = TRUE;
}

static gboolean
accept_any_cert (SoupMessage * msg, GTlsCertificate * cert,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static SoupWebsocketConnection *
do_connect (const gchar * scheme, guint port, const gchar * path_query,
    const gchar * const *headers, guint * status)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree gchar *uri = NULL;
  Connect c = { FALSE, NULL };
  guint i;

  soup_session_remove_feature_by_type (session,
      SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  uri = g_strdup_printf ("%s://127.0.0.1:%u%s", scheme, port,
      path_query ? path_query : "/");
  msg = soup_message_new (SOUP_METHOD_GET, uri);
  g_assert_nonnull (msg);
  for (i = 0; headers && headers[i] && headers[i + 1]; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        headers[i], headers[i + 1]);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_cert),
      NULL);
  soup_session_websocket_connect_async (session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, connect_done, &c);
  if (!WS_WAIT_UNTIL (c.done, 10000))
    g_error ("connecting to %s timed out", uri);
  if (status)
    *status = soup_message_get_status (msg);
  return c.conn;
}

SoupWebsocketConnection *
ws_test_connect (guint port, const gchar * path_query,
    const gchar * const *headers, guint * status)
{
  return do_connect ("ws", port, path_query, headers, status);
}

SoupWebsocketConnection *
ws_test_connect_tls (guint port, const gchar * path_query, guint * status)
{
  return do_connect ("wss", port, path_query, NULL, status);
}

static void
message_cb (SoupWebsocketConnection * conn, gint type, GBytes * bytes,
    gpointer data)
{
  WsTestSink *sink = data;

  if (type != SOUP_WEBSOCKET_DATA_BINARY)
    return;
  g_ptr_array_add (sink->messages, g_bytes_ref (bytes));
  sink->total += g_bytes_get_size (bytes);
}

static void
closed_cb (SoupWebsocketConnection * conn, gpointer data)
{
  WsTestSink *sink = data;

  sink->closed = TRUE;
  sink->close_code = soup_websocket_connection_get_close_code (conn);
}

void
ws_test_sink_attach (WsTestSink * sink, SoupWebsocketConnection * conn)
{
  sink->messages = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  sink->total = 0;
  sink->closed = FALSE;
  sink->close_code = 0;
  sink->conn = g_object_ref (conn);
  g_signal_connect (conn, "message", G_CALLBACK (message_cb), sink);
  g_signal_connect (conn, "closed", G_CALLBACK (closed_cb), sink);
}

void
ws_test_sink_clear (WsTestSink * sink)
{
  if (sink->conn != NULL)
    g_signal_handlers_disconnect_by_data (sink->conn, sink);
  g_clear_object (&sink->conn);
  g_clear_pointer (&sink->messages, g_ptr_array_unref);
}

static gint
current_port (GstElement * element)
{
  gint port = 0;

  g_object_get (element, "current-port", &port, NULL);
  return port;
}

guint
ws_test_num_clients (GstElement * element)
{
  guint n;

  g_object_get (element, "num-clients", &n, NULL);
  return n;
}

guint64
ws_test_bytes_received (GstElement * element)
{
  guint64 n;

  g_object_get (element, "bytes-received", &n, NULL);
  return n;
}

guint
ws_test_port (GstElement * element)
{
  gint port = 0;

  if (!WS_WAIT_UNTIL ((port = current_port (element)) > 0, 5000))
    g_error ("%s never bound a port", GST_ELEMENT_NAME (element));
  return port;
}

GSocketConnection *
ws_test_raw_upgrade (guint port, gint rcvbuf)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *conn;
  GSocket *sock;
  static const gchar request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
  gchar response[4096];
  gsize got = 0;

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  if (rcvbuf > 0)
    g_socket_set_option (sock, SOL_SOCKET, SO_RCVBUF, rcvbuf, NULL);
  {
    g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
        (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (lo, port);

    g_socket_connect (sock, sa, NULL, &error);
    g_assert_no_error (error);
  }
  conn = g_socket_connection_factory_create_connection (sock);
  g_object_unref (sock);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM
          (conn)), request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  /* Byte by byte so nothing after the headers is consumed. */
  while (got < sizeof (response) - 1
      && !(got >= 4 && memcmp (response + got - 4, "\r\n\r\n", 4) == 0)) {
    gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM
            (conn)), response + got, 1, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (n, ==, 1);
    got++;
  }
  response[got] = '\0';
  g_assert_true (g_str_has_prefix (response, "HTTP/1.1 101"));
  return conn;
}

static gboolean
read_exact (GInputStream * in, guint8 * buf, gsize len)
{
  gsize done = 0;

  return g_input_stream_read_all (in, buf, len, &done, NULL, NULL)
      && done == len;
}

gsize
ws_test_frame_encode (guint8 * frame, guint8 b0, gboolean masked,
    guint64 claimed_len, const guint8 * payload, gsize len)
{
  static const guint8 mask[4] = { 0x5a, 0xc3, 0x0f, 0x96 };
  gsize n = 0, i;

  frame[n++] = b0;
  if (claimed_len < 126) {
    frame[n++] = claimed_len;
  } else if (claimed_len <= G_MAXUINT16) {
    frame[n++] = 126;
    frame[n++] = claimed_len >> 8;
    frame[n++] = claimed_len & 0xff;
  } else {
    frame[n++] = 127;
    for (i = 0; i < 8; i++)
      frame[n++] = (claimed_len >> (56 - 8 * i)) & 0xff;
  }
  if (masked) {
    frame[1] |= 0x80;
    memcpy (frame + n, mask, 4);
    n += 4;
  }
  for (i = 0; i < len; i++)
    frame[n + i] = masked ? payload[i] ^ mask[i % 4] : payload[i];
  return n + len;
}

gboolean
ws_test_raw_send (GSocketConnection * conn, guint8 b0, gboolean masked,
    const guint8 * payload, gsize len)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_autofree guint8 *frame = g_malloc (WS_TEST_FRAME_HEADER_MAX + len);
  gsize n = ws_test_frame_encode (frame, b0, masked, len, payload, len);

  return g_output_stream_write_all (out, frame, n, NULL, NULL, NULL);
}

GBytes *
ws_test_raw_read_frame (GSocketConnection * conn, guint8 * b0)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  guint8 hdr[10], *payload;
  guint64 len;
  guint n, i;

  if (!read_exact (in, hdr, 2))
    return NULL;
  len = hdr[1] & 0x7f;
  n = len == 126 ? 2 : len == 127 ? 8 : 0;
  if (n && !read_exact (in, hdr + 2, n))
    return NULL;
  for (i = 0, len = n ? 0 : len; i < n; i++)
    len = (len << 8) | hdr[2 + i];
  payload = g_malloc (len + 1);
  if (!read_exact (in, payload, len)) {
    g_free (payload);
    return NULL;
  }
  *b0 = hdr[0];
  return g_bytes_new_take (payload, len);
}

gushort
ws_test_raw_read_close (GSocketConnection * conn)
{
  GBytes *frame;
  guint8 b0;

  while ((frame = ws_test_raw_read_frame (conn, &b0)) != NULL) {
    gsize len;
    const guint8 *payload = g_bytes_get_data (frame, &len);
    gushort code = len >= 2 ? (payload[0] << 8 | payload[1]) : 1005;

    g_bytes_unref (frame);
    if ((b0 & 0x0f) == 0x8)
      return code;
  }
  return 0;
}

gsize
ws_test_rss_kib (void)
{
  g_autofree gchar *statm = NULL;
  gulong size = 0, resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    sscanf (statm, "%lu %lu", &size, &resident);
  return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

static guint
count_dir (const gchar * path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

guint
ws_test_count_fds (void)
{
  return count_dir ("/proc/self/fd");
}

guint
ws_test_count_threads (void)
{
  return count_dir ("/proc/self/task");
}

#define TALKER_QUANTUM 128
#define TALKER_AMPLITUDE 0.5

/* F32LE on the wire, sent from host floats. */
G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);

static gboolean
talker_send_due (gpointer data)
{
  WsTestTalker *t = data;
  gint64 elapsed = g_get_monotonic_time () - t->start;
  guint64 due;

  if (g_atomic_int_get (&t->stopping)) {
    g_main_loop_quit (t->loop);
    return G_SOURCE_CONTINUE;
  }

  if (t->burst_ms > 0)
    elapsed -= elapsed % (t->burst_ms * G_TIME_SPAN_MILLISECOND);
  due = elapsed * t->rate * t->speed / G_USEC_PER_SEC;
  if (soup_websocket_connection_get_state (t->conn)
      != SOUP_WEBSOCKET_STATE_OPEN)
    return G_SOURCE_CONTINUE;
  while (t->sent + TALKER_QUANTUM <= due) {
    gfloat quantum[TALKER_QUANTUM];
    guint i;

    for (i = 0; i < TALKER_QUANTUM; i++)
      quantum[i] = TALKER_AMPLITUDE * sin (2 * G_PI * t->hz * (t->sent + i)
          / t->rate);
    soup_websocket_connection_send_binary (t->conn, quantum, sizeof quantum);
    t->sent += TALKER_QUANTUM;
    t->messages++;
  }
  return G_SOURCE_CONTINUE;
}

/* The talker's thread: connects with its own main context as the
 * thread-default one, so that libsoup and the pacing run there. */
static gpointer
talker_thread (gpointer data)
{
  WsTestTalker *t = data;
  SoupWebsocketConnection *conn;
  GSource *tick;
  guint status = 0;

  g_main_context_push_thread_default (t->context);
  conn = ws_test_connect (t->port, t->path_query, NULL, &status);
  g_mutex_lock (&t->lock);
  t->conn = conn;
  t->status = status;
  t->start = g_get_monotonic_time ();
  t->ready = TRUE;
  g_cond_signal (&t->cond);
  g_mutex_unlock (&t->lock);
  if (conn != NULL) {
    tick = g_timeout_source_new (2);
    g_source_set_callback (tick, talker_send_due, t, NULL);
    g_source_attach (tick, t->context);
    g_main_loop_run (t->loop);
    g_source_destroy (tick);
    g_source_unref (tick);
    /* Says goodbye properly: the close frame goes out from this context. */
    if (soup_websocket_connection_get_state (conn)
        == SOUP_WEBSOCKET_STATE_OPEN) {
      soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL,
          NULL);
      WS_WAIT_UNTIL (soup_websocket_connection_get_state (conn)
          == SOUP_WEBSOCKET_STATE_CLOSED, 1000);
    }
  }
  g_main_context_pop_thread_default (t->context);
  return NULL;
}

gboolean
ws_test_talker_start_full (WsTestTalker * t, guint port,
    const gchar * path_query, gint rate, gdouble speed, guint burst_ms,
    gdouble hz, guint * status)
{
  memset (t, 0, sizeof (*t));
  t->rate = rate;
  t->speed = speed;
  t->burst_ms = burst_ms;
  t->hz = hz;
  t->port = port;
  t->path_query = g_strdup (path_query);
  t->context = g_main_context_new ();
  t->loop = g_main_loop_new (t->context, FALSE);
  g_mutex_init (&t->lock);
  g_cond_init (&t->cond);
  t->thread = g_thread_new ("ws-test-talker", talker_thread, t);
  g_mutex_lock (&t->lock);
  while (!t->ready)
    g_cond_wait (&t->cond, &t->lock);
  g_mutex_unlock (&t->lock);
  if (status)
    *status = t->status;
  if (t->conn != NULL)
    return TRUE;
  ws_test_talker_stop (t);
  return FALSE;
}

gboolean
ws_test_talker_start (WsTestTalker * t, guint port, const gchar * path_query,
    gint rate, guint * status)
{
  return ws_test_talker_start_full (t, port, path_query, rate, 1, 0, 1000,
      status);
}

void
ws_test_talker_stop (WsTestTalker * t)
{
  if (t->thread == NULL)
    return;
  /* The talker's own tick quits its loop (even one not running yet). */
  g_atomic_int_set (&t->stopping, TRUE);
  g_thread_join (t->thread);
  t->thread = NULL;
  g_clear_object (&t->conn);
  g_main_loop_unref (t->loop);
  g_main_context_unref (t->context);
  g_clear_pointer (&t->path_query, g_free);
  g_mutex_clear (&t->lock);
  g_cond_clear (&t->cond);
}

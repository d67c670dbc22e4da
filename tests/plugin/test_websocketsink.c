/* wsaudio — websocketsink tests
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Real libsoup clients (and hand-made sockets for misbehaving ones) against
 * an appsrc ! websocketsink pipeline, all on loopback with port 0.
 */
#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsrc.h>

#include "wstest.h"

typedef struct
{
  GstElement *pipeline;
  GstElement *appsrc;
  GstElement *sink;
  guint port;
  gint connected;
  gint disconnected;
} Fixture;

static void
on_connected (GstElement * sink, const gchar * peer, Fixture * f)
{
  g_atomic_int_inc (&f->connected);
}

static void
on_disconnected (GstElement * sink, const gchar * peer, Fixture * f)
{
  g_atomic_int_inc (&f->disconnected);
}

static void
fixture_setup (Fixture * f, const gchar * sink_props, GstState state)
{
  g_autofree gchar *desc = g_strdup_printf ("appsrc name=src format=time "
      "caps=application/x-test ! websocketsink name=sink port=0 %s",
      sink_props ? sink_props : "");

  memset (f, 0, sizeof (*f));
  f->pipeline = gst_parse_launch (desc, NULL);
  fail_unless (f->pipeline != NULL);
  f->appsrc = gst_bin_get_by_name (GST_BIN (f->pipeline), "src");
  f->sink = gst_bin_get_by_name (GST_BIN (f->pipeline), "sink");
  g_signal_connect (f->sink, "client-connected", G_CALLBACK (on_connected), f);
  g_signal_connect (f->sink, "client-disconnected",
      G_CALLBACK (on_disconnected), f);
  fail_unless (gst_element_set_state (f->pipeline, state) !=
      GST_STATE_CHANGE_FAILURE);
  if (state >= GST_STATE_READY)
    f->port = ws_test_port (f->sink);
}

static void
fixture_teardown (Fixture * f)
{
  gst_element_set_state (f->pipeline, GST_STATE_NULL);
  gst_object_unref (f->appsrc);
  gst_object_unref (f->sink);
  gst_object_unref (f->pipeline);
}

static GstBuffer *
pattern_buffer (guint index, gsize size)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;
  gsize i;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (i = 0; i < size; i++)
    map.data[i] = (guint8) (index * 31 + i * 7);
  gst_buffer_unmap (buf, &map);
  return buf;
}

static void
push (Fixture * f, GstBuffer * buf)
{
  fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (f->appsrc),
          buf), GST_FLOW_OK);
}

static gboolean
message_equals (GBytes * bytes, GstBuffer * expected)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return size == gst_buffer_get_size (expected)
      && gst_buffer_memcmp (expected, 0, data, size) == 0;
}

static SoupWebsocketConnection *
connect_client (Fixture * f, WsTestSink * rx, gint expected_clients)
{
  SoupWebsocketConnection *conn = ws_test_connect (f->port, "/", NULL, NULL);

  fail_unless (conn != NULL);
  soup_websocket_connection_set_max_incoming_payload_size (conn, 1 << 20);
  ws_test_sink_attach (rx, conn);
  fail_unless (WS_WAIT_UNTIL (g_atomic_int_get (&f->connected) >=
          expected_clients, 5000));
  return conn;
}

GST_START_TEST (test_port_zero_listens_in_ready)
{
  Fixture f;
  gint port;

  fixture_setup (&f, NULL, GST_STATE_READY);
  g_object_get (f.sink, "current-port", &port, NULL);
  fail_unless (port > 0);
  fail_unless_equals_int (port, f.port);
  /* Back in NULL the port is released and reported as 0. */
  gst_element_set_state (f.pipeline, GST_STATE_NULL);
  g_object_get (f.sink, "current-port", &port, NULL);
  fail_unless_equals_int (port, 0);
  fixture_teardown (&f);
}

GST_END_TEST;

GST_START_TEST (test_roundtrip_byte_exact)
{
  static const gsize sizes[] = { 1, 125, 126, 1316, 65535, 65536, 70000 };
  Fixture f;
  WsTestSink rx;
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  GstBuffer *sent[G_N_ELEMENTS (sizes)];
  guint i;

  fixture_setup (&f, NULL, GST_STATE_PLAYING);
  conn = connect_client (&f, &rx, 1);
  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    sent[i] = pattern_buffer (i, sizes[i]);
    push (&f, gst_buffer_ref (sent[i]));
  }
  fail_unless (WS_WAIT_UNTIL (rx.messages->len == G_N_ELEMENTS (sizes),
          5000));
  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    fail_unless (message_equals (g_ptr_array_index (rx.messages, i),
            sent[i]), "message %u differs", i);
    gst_buffer_unref (sent[i]);
  }
  ws_test_sink_clear (&rx);
  fixture_teardown (&f);
}

GST_END_TEST;

/* A buffer list is one message per buffer, or one in all with
 * merge-buffer-lists (the TS packets of one frame from mpegtsmux
 * alignment=0), its bytes in order. */
static void
check_buffer_list (gboolean merge)
{
  static const gsize sizes[] = { 188, 188, 188 };
  Fixture f;
  WsTestSink rx;
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  GstBufferList *list = gst_buffer_list_new ();
  g_autoptr (GstBuffer) all = gst_buffer_new ();
  guint i;

  fixture_setup (&f, merge ? "merge-buffer-lists=true" : NULL,
      GST_STATE_PLAYING);
  conn = connect_client (&f, &rx, 1);
  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    GstBuffer *b = pattern_buffer (i, sizes[i]);

    gst_buffer_copy_into (all, b, GST_BUFFER_COPY_MEMORY, 0, -1);
    gst_buffer_list_add (list, b);
  }
  fail_unless_equals_int (gst_app_src_push_buffer_list (GST_APP_SRC
          (f.appsrc), list), GST_FLOW_OK);
  /* A single buffer after it: the end of what the list made is known. */
  push (&f, pattern_buffer (9, 10));
  fail_unless (WS_WAIT_UNTIL (rx.messages->len == (merge ? 2 :
              G_N_ELEMENTS (sizes) + 1), 5000));
  if (merge) {
    fail_unless (message_equals (g_ptr_array_index (rx.messages, 0), all));
  } else {
    for (i = 0; i < G_N_ELEMENTS (sizes); i++)
      fail_unless_equals_int (g_bytes_get_size (g_ptr_array_index
              (rx.messages, i)), sizes[i]);
  }
  ws_test_sink_clear (&rx);
  fixture_teardown (&f);
}

GST_START_TEST (test_buffer_list_one_message_per_buffer)
{
  check_buffer_list (FALSE);
}

GST_END_TEST;

GST_START_TEST (test_buffer_list_merged)
{
  check_buffer_list (TRUE);
}

GST_END_TEST;

#define MANY 200
#define MANY_BUFFERS 20

GST_START_TEST (test_200_clients_all_in_order)
{
  Fixture f;
  WsTestSink rx[MANY];
  SoupWebsocketConnection *conns[MANY];
  guint i, j;

  fixture_setup (&f, NULL, GST_STATE_PLAYING);
  for (i = 0; i < MANY; i++)
    conns[i] = connect_client (&f, &rx[i], i + 1);
  fail_unless_equals_int (ws_test_num_clients (f.sink), MANY);
  for (j = 0; j < MANY_BUFFERS; j++)
    push (&f, pattern_buffer (j, 1316));
  for (i = 0; i < MANY; i++) {
    fail_unless (WS_WAIT_UNTIL (rx[i].messages->len == MANY_BUFFERS, 10000),
        "client %u got %u messages", i, rx[i].messages->len);
    for (j = 0; j < MANY_BUFFERS; j++) {
      GstBuffer *expected = pattern_buffer (j, 1316);

      fail_unless (message_equals (g_ptr_array_index (rx[i].messages, j),
              expected), "client %u message %u out of order", i, j);
      gst_buffer_unref (expected);
    }
  }
  for (i = 0; i < MANY; i++) {
    soup_websocket_connection_close (conns[i], SOUP_WEBSOCKET_CLOSE_NORMAL,
        NULL);
  }
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f.sink) == 0, 10000));
  for (i = 0; i < MANY; i++) {
    g_object_unref (conns[i]);
    ws_test_sink_clear (&rx[i]);
  }
  fixture_teardown (&f);
}

GST_END_TEST;

/* One client never reads: the other gets every buffer, promptly, and the
 * sink's memory stays bounded while ~100 MB go through. */
static void
check_stuck_client (const gchar * policy)
{
  g_autofree gchar *props = g_strdup_printf ("client-queue-max-bytes=1000000 "
      "slow-client-policy=%s", policy);
  Fixture f;
  WsTestSink rx;
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  g_autoptr (GSocketConnection) stuck = NULL;
  gsize rss_start, rss_peak = 0;
  guint i, n = 1600;

  fixture_setup (&f, props, GST_STATE_PLAYING);
  conn = connect_client (&f, &rx, 1);
  stuck = ws_test_raw_upgrade (f.port, 4096);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f.sink) == 2, 5000));
  for (i = 0; i < 100; i++) {
    push (&f, pattern_buffer (i, 65536));
    fail_unless (WS_WAIT_UNTIL (rx.messages->len == i + 1, 5000));
  }
  rss_start = ws_test_rss_kib ();
  for (; i < n; i++) {
    push (&f, pattern_buffer (i, 65536));
    /* The reading client is never held back by the stuck one. */
    fail_unless (WS_WAIT_UNTIL (rx.messages->len == i + 1, 5000),
        "reader stalled at %u", i);
    g_ptr_array_set_size (rx.messages, 0);
    g_ptr_array_set_size (rx.messages, i + 1);
    rss_peak = MAX (rss_peak, ws_test_rss_kib ());
  }
  GST_INFO ("RSS %" G_GSIZE_FORMAT " KiB at start, peak %" G_GSIZE_FORMAT,
      rss_start, rss_peak);
  fail_unless (rss_peak < rss_start + 24 * 1024,
      "memory grew from %" G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT " KiB",
      rss_start, rss_peak);
  if (g_str_equal (policy, "disconnect")) {
    gushort code;

    fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f.sink) == 1, 5000));
    /* Whatever it had buffered, it ends with 1008 or a plain close. */
    code = ws_test_raw_read_close (stuck);
    fail_unless (code == 1008 || code == 0, "close code %u", code);
  } else {
    fail_unless_equals_int (ws_test_num_clients (f.sink), 2);
  }
  ws_test_sink_clear (&rx);
  fixture_teardown (&f);
}

GST_START_TEST (test_stuck_client_skipped)
{
  check_stuck_client ("skip");
}

GST_END_TEST;

GST_START_TEST (test_stuck_client_disconnected)
{
  check_stuck_client ("disconnect");
}

GST_END_TEST;

/* A client that reads slowly gets every message whole and in order: with
 * a small receive buffer and nothing read until all 16 MiB are queued (more
 * than loopback's socket buffers hold), the sink's writes are cut short
 * mid-frame and resumed when the socket drains. */
GST_START_TEST (test_slow_reader_gets_every_byte)
{
  Fixture f;
  g_autoptr (GSocketConnection) slow = NULL;
  GstBuffer *sent[64];
  guint i;

  fixture_setup (&f, NULL, GST_STATE_PLAYING);
  slow = ws_test_raw_upgrade (f.port, 4096);
  g_socket_set_timeout (g_socket_connection_get_socket (slow), 10);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f.sink) == 1, 5000));
  for (i = 0; i < G_N_ELEMENTS (sent); i++) {
    sent[i] = pattern_buffer (i, 262144 + i * 1001);
    push (&f, gst_buffer_ref (sent[i]));
  }
  for (i = 0; i < G_N_ELEMENTS (sent); i++) {
    guint8 b0 = 0;
    g_autoptr (GBytes) got = ws_test_raw_read_frame (slow, &b0);

    fail_unless (got != NULL, "message %u never came", i);
    fail_unless_equals_int (b0, 0x82);
    fail_unless (message_equals (got, sent[i]), "message %u differs", i);
    gst_buffer_unref (sent[i]);
  }
  fixture_teardown (&f);
}

GST_END_TEST;

static guint
refusal (Fixture * f, const gchar * path_query, const gchar * const *headers)
{
  guint status = 0;
  SoupWebsocketConnection *conn = ws_test_connect (f->port, path_query,
      headers, &status);

  if (conn == NULL)
    return status;
  soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (conn);
  return 0;
}

GST_START_TEST (test_token)
{
  const gchar *bearer[] = { "Authorization", "Bearer s3cret", NULL };
  const gchar *wrong_bearer[] = { "Authorization", "Bearer s3creT", NULL };
  Fixture f;

  fixture_setup (&f, "token=s3cret", GST_STATE_READY);
  fail_unless_equals_int (refusal (&f, "/", NULL), 401);
  fail_unless_equals_int (refusal (&f, "/?token=wrong", NULL), 401);
  fail_unless_equals_int (refusal (&f, "/", wrong_bearer), 401);
  fail_unless_equals_int (refusal (&f, "/?token=s3cret&jwt_token=x", NULL), 0);
  fail_unless_equals_int (refusal (&f, "/sound", bearer), 0);
  fixture_teardown (&f);
}

GST_END_TEST;

GST_START_TEST (test_origin_path_max_clients)
{
  const gchar *good[] = { "Origin", "https://desk.example", NULL };
  const gchar *evil[] = { "Origin", "https://evil.example", NULL };
  Fixture f;
  WsTestSink rx1, rx2;
  g_autoptr (SoupWebsocketConnection) c1 = NULL, c2 = NULL;

  fixture_setup (&f, "allowed-origins=\"https://other.example, "
      "https://desk.example\" path=/sound max-clients=2", GST_STATE_READY);
  fail_unless_equals_int (refusal (&f, "/sound", evil), 403);
  fail_unless_equals_int (refusal (&f, "/sound", NULL), 403);
  fail_unless_equals_int (refusal (&f, "/other", good), 404);
  fail_unless_equals_int (refusal (&f, "/sound", good), 0);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f.sink) == 0, 5000));
  c1 = ws_test_connect (f.port, "/sound", good, NULL);
  c2 = ws_test_connect (f.port, "/sound", good, NULL);
  fail_unless (c1 && c2);
  ws_test_sink_attach (&rx1, c1);
  ws_test_sink_attach (&rx2, c2);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f.sink) == 2, 5000));
  fail_unless_equals_int (refusal (&f, "/sound", good), 503);
  ws_test_sink_clear (&rx1);
  ws_test_sink_clear (&rx2);
  fixture_teardown (&f);
}

GST_END_TEST;

static gchar *
test_file (const gchar * name)
{
  return g_build_filename (g_getenv ("WSAUDIO_TEST_DATA"), name, NULL);
}

GST_START_TEST (test_tls)
{
  g_autofree gchar *cert = test_file ("test-cert.pem");
  g_autofree gchar *key = test_file ("test-key.pem");
  g_autofree gchar *props = g_strdup_printf ("tls-certificate=%s "
      "tls-private-key=%s", cert, key);
  Fixture f;
  WsTestSink rx;
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  GstBuffer *buf = pattern_buffer (7, 3000);
  guint status = 0;

  fixture_setup (&f, props, GST_STATE_PLAYING);
  /* Plain ws:// to a TLS port gets no upgrade. */
  fail_unless (ws_test_connect (f.port, "/", NULL, &status) == NULL);
  conn = ws_test_connect_tls (f.port, "/", &status);
  fail_unless (conn != NULL, "wss:// refused with %u", status);
  ws_test_sink_attach (&rx, conn);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f.sink) == 1, 5000));
  push (&f, gst_buffer_ref (buf));
  fail_unless (WS_WAIT_UNTIL (rx.messages->len == 1, 5000));
  fail_unless (message_equals (g_ptr_array_index (rx.messages, 0), buf));
  gst_buffer_unref (buf);
  ws_test_sink_clear (&rx);
  fixture_teardown (&f);
}

GST_END_TEST;

static gchar *
start_error (const gchar * desc)
{
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GError) error = NULL;
  GstMessage *msg;

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &error, NULL);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return g_strdup (error->message);
}

GST_START_TEST (test_operator_errors_name_port_and_file)
{
  Fixture f;
  g_autofree gchar *desc = NULL, *msg = NULL, *port = NULL;

  fixture_setup (&f, NULL, GST_STATE_READY);
  port = g_strdup_printf (":%u", f.port);
  desc = g_strdup_printf ("fakesrc ! websocketsink port=%u", f.port);
  msg = start_error (desc);
  fail_unless (strstr (msg, port) != NULL, "'%s' does not name the port", msg);
  g_free (msg);
  msg = start_error ("fakesrc ! websocketsink "
      "tls-certificate=/nonexistent/cert.pem");
  fail_unless (strstr (msg, "/nonexistent/cert.pem") != NULL,
      "'%s' does not name the file", msg);
  fixture_teardown (&f);
}

GST_END_TEST;

/* Takes @header. */
static GstCaps *
caps_with_streamheader (GstBuffer * header)
{
  GstCaps *caps = gst_caps_new_empty_simple ("application/x-test");
  GValue array = G_VALUE_INIT, value = G_VALUE_INIT;

  g_value_init (&array, GST_TYPE_ARRAY);
  g_value_init (&value, GST_TYPE_BUFFER);
  GST_BUFFER_FLAG_SET (header, GST_BUFFER_FLAG_HEADER);
  gst_value_take_buffer (&value, header);
  gst_value_array_append_and_take_value (&array, &value);
  gst_structure_take_value (gst_caps_get_structure (caps, 0), "streamheader",
      &array);
  return caps;
}

/* A late client gets the stream headers first, then starts at the next
 * buffer that is not a delta unit. */
GST_START_TEST (test_streamheader_and_sync_point)
{
  Fixture f;
  WsTestSink early, late;
  g_autoptr (SoupWebsocketConnection) c1 = NULL, c2 = NULL;
  GstBuffer *header = pattern_buffer (99, 188);
  GstBuffer *delta = pattern_buffer (1, 376), *key = pattern_buffer (2, 564);
  g_autoptr (GstCaps) caps = caps_with_streamheader (gst_buffer_ref (header));

  fixture_setup (&f, NULL, GST_STATE_PLAYING);
  gst_app_src_set_caps (GST_APP_SRC (f.appsrc), caps);
  c1 = connect_client (&f, &early, 1);
  push (&f, pattern_buffer (0, 100));
  fail_unless (WS_WAIT_UNTIL (early.messages->len == 2, 5000));
  c2 = connect_client (&f, &late, 2);
  GST_BUFFER_FLAG_SET (delta, GST_BUFFER_FLAG_DELTA_UNIT);
  push (&f, gst_buffer_ref (delta));
  push (&f, gst_buffer_ref (key));
  fail_unless (WS_WAIT_UNTIL (early.messages->len == 4
          && late.messages->len == 2, 5000));
  fail_unless (message_equals (g_ptr_array_index (early.messages, 0), header));
  fail_unless (message_equals (g_ptr_array_index (late.messages, 0), header));
  fail_unless (message_equals (g_ptr_array_index (late.messages, 1), key));
  fail_unless (message_equals (g_ptr_array_index (early.messages, 2), delta));
  gst_buffer_unref (header);
  gst_buffer_unref (delta);
  gst_buffer_unref (key);
  ws_test_sink_clear (&early);
  ws_test_sink_clear (&late);
  fixture_teardown (&f);
}

GST_END_TEST;

/* Audio-only MPEG-TS flags every buffer as a delta unit: a client must not
 * wait for a sync point that never comes. */
GST_START_TEST (test_all_delta_stream_starts_at_once)
{
  Fixture f;
  WsTestSink rx;
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  GstBuffer *buf;
  guint i;

  fixture_setup (&f, NULL, GST_STATE_PLAYING);
  conn = connect_client (&f, &rx, 1);
  for (i = 0; i < 3; i++) {
    buf = pattern_buffer (i, 188);
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
    push (&f, buf);
  }
  fail_unless (WS_WAIT_UNTIL (rx.messages->len == 3, 5000));
  ws_test_sink_clear (&rx);
  fixture_teardown (&f);
}

GST_END_TEST;

static gboolean
bus_has_clients_message (GstBus * bus, guint count)
{
  GstMessage *msg;
  gboolean found = FALSE;

  while (!found && (msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);
    guint n;

    found = gst_structure_has_name (s, "websocketsink-clients")
        && gst_structure_get_uint (s, "clients", &n) && n == count;
    gst_message_unref (msg);
  }
  return found;
}

GST_START_TEST (test_signals_bus_messages_and_going_away)
{
  Fixture f;
  WsTestSink rx;
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  g_autoptr (GstBus) bus = NULL;

  fixture_setup (&f, NULL, GST_STATE_READY);
  bus = gst_element_get_bus (f.pipeline);
  conn = connect_client (&f, &rx, 1);
  fail_unless (WS_WAIT_UNTIL (bus_has_clients_message (bus, 1), 5000));
  /* A client leaving while the pipeline is in READY is announced too. */
  soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  fail_unless (WS_WAIT_UNTIL (bus_has_clients_message (bus, 0), 5000));
  fail_unless_equals_int (g_atomic_int_get (&f.disconnected), 1);
  ws_test_sink_clear (&rx);
  g_clear_object (&conn);

  /* Going to NULL closes the remaining clients with 1001 "going away". */
  conn = connect_client (&f, &rx, 2);
  gst_element_set_state (f.pipeline, GST_STATE_NULL);
  fail_unless (WS_WAIT_UNTIL (rx.closed, 5000));
  fail_unless_equals_int (rx.close_code, 1001);
  fail_unless_equals_int (g_atomic_int_get (&f.disconnected), 2);
  ws_test_sink_clear (&rx);
  fixture_teardown (&f);
}

GST_END_TEST;

/* A client that sends garbage loses its connection; the others do not
 * notice. */
GST_START_TEST (test_protocol_error_costs_one_client)
{
  static const guint8 unmasked[] = { 0x82, 0x02, 'h', 'i' };
  Fixture f;
  WsTestSink rx;
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  g_autoptr (GSocketConnection) bad = NULL;

  fixture_setup (&f, NULL, GST_STATE_PLAYING);
  conn = connect_client (&f, &rx, 1);
  bad = ws_test_raw_upgrade (f.port, 0);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f.sink) == 2, 5000));
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM
          (bad)), unmasked, sizeof (unmasked), NULL, NULL, NULL);
  fail_unless_equals_int (ws_test_raw_read_close (bad), 1002);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f.sink) == 1, 5000));
  push (&f, pattern_buffer (0, 100));
  fail_unless (WS_WAIT_UNTIL (rx.messages->len == 1, 5000));
  fail_if (rx.closed);
  ws_test_sink_clear (&rx);
  fixture_teardown (&f);
}

GST_END_TEST;

/* NULL -> READY -> PLAYING -> READY -> NULL @n times, a client connected
 * during every tenth cycle. */
static void
cycle_states (Fixture * f, guint n)
{
  SoupWebsocketConnection *conn = NULL;
  WsTestSink rx;
  guint i;

  for (i = 0; i < n; i++) {
    fail_unless (gst_element_set_state (f->pipeline, GST_STATE_READY) ==
        GST_STATE_CHANGE_SUCCESS);
    if (i % 10 == 0) {
      conn = ws_test_connect (ws_test_port (f->sink), "/", NULL, NULL);
      fail_unless (conn != NULL);
      ws_test_sink_attach (&rx, conn);
      fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->sink) == 1, 5000));
    }
    gst_element_set_state (f->pipeline, GST_STATE_PLAYING);
    gst_element_set_state (f->pipeline, GST_STATE_READY);
    gst_element_set_state (f->pipeline, GST_STATE_NULL);
    if (conn) {
      fail_unless (WS_WAIT_UNTIL (rx.closed, 5000));
      g_clear_object (&conn);
      ws_test_sink_clear (&rx);
    }
  }
}

GST_START_TEST (test_state_cycles_leak_nothing)
{
  Fixture f;
  guint fds = 0, threads = 0, pass;

  fixture_setup (&f, NULL, GST_STATE_NULL);
  /* The first pass only creates what GLib and libsoup make once per
   * process (worker contexts, the test client's resolver). */
  for (pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      fds = ws_test_count_fds ();
      threads = ws_test_count_threads ();
    }
    cycle_states (&f, pass == 0 ? 10 : 100);
  }
  fail_unless (WS_WAIT_UNTIL (ws_test_count_fds () <= fds, 5000),
      "fds %u -> %u", fds, ws_test_count_fds ());
  fail_unless (WS_WAIT_UNTIL (ws_test_count_threads () <= threads, 5000),
      "threads %u -> %u", threads, ws_test_count_threads ());
  fixture_teardown (&f);
}

GST_END_TEST;

static Suite *
websocketsink_suite (void)
{
  Suite *s = suite_create ("websocketsink");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_port_zero_listens_in_ready);
  tcase_add_test (tc, test_roundtrip_byte_exact);
  tcase_add_test (tc, test_buffer_list_one_message_per_buffer);
  tcase_add_test (tc, test_buffer_list_merged);
  tcase_add_test (tc, test_200_clients_all_in_order);
  tcase_add_test (tc, test_slow_reader_gets_every_byte);
  tcase_add_test (tc, test_stuck_client_skipped);
  tcase_add_test (tc, test_stuck_client_disconnected);
  tcase_add_test (tc, test_token);
  tcase_add_test (tc, test_origin_path_max_clients);
  tcase_add_test (tc, test_tls);
  tcase_add_test (tc, test_operator_errors_name_port_and_file);
  tcase_add_test (tc, test_streamheader_and_sync_point);
  tcase_add_test (tc, test_all_delta_stream_starts_at_once);
  tcase_add_test (tc, test_signals_bus_messages_and_going_away);
  tcase_add_test (tc, test_protocol_error_costs_one_client);
  tcase_add_test (tc, test_state_cycles_leak_nothing);
  return s;
}

GST_CHECK_MAIN (websocketsink);

/* wsaudio — websocketsrc tests
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Real libsoup clients talk to a websocketsrc ! appsink pipeline on loopback
 * with port 0 (and, in client mode, websocketsrc connects to a libsoup
 * server run by the test).
 */
#include <math.h>
#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>
#include <gst/audio/audio.h>

#include "tone.h"
#include "wstest.h"

#define MSG_SIZE 512            /* a browser render quantum: 128 F32 samples */

typedef struct
{
  GstElement *pipeline;
  GstElement *src;
  GstElement *sink;
  guint port;
  GMutex lock;
  GPtrArray *samples;           /* GstSample, under lock */
  GArray *pushed;               /* running time of each, under lock */
  gsize total;                  /* bytes in samples, under lock */
} Fixture;

static GstClockTime running_time (GstElement * pipeline);

static GstFlowReturn
new_sample_cb (GstAppSink * appsink, gpointer data)
{
  Fixture *f = data;
  GstSample *sample = gst_app_sink_pull_sample (appsink);

  GstClockTime now = running_time (f->pipeline);

  g_mutex_lock (&f->lock);
  f->total += gst_buffer_get_size (gst_sample_get_buffer (sample));
  g_ptr_array_add (f->samples, sample);
  g_array_append_val (f->pushed, now);
  g_mutex_unlock (&f->lock);
  return GST_FLOW_OK;
}

/* websocketsrc ! appsink, in NULL; @sink_props e.g. "max-buffers=1". With
 * @collect the samples are taken as they come. Not paced: the buffers come
 * out as the messages arrive. */
static Fixture *
fixture_new (const gchar * sink_props, gboolean collect)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autofree gchar *desc = g_strdup_printf ("websocketsrc name=src port=0 ! "
      "appsink name=sink sync=false %s", sink_props ? sink_props : "");
  GstAppSinkCallbacks callbacks = { NULL, NULL, new_sample_cb };

  f->pipeline = gst_parse_launch (desc, NULL);
  fail_unless (GST_IS_PIPELINE (f->pipeline),
      "no websocketsrc: is GST_PLUGIN_PATH set?");
  f->src = gst_bin_get_by_name (GST_BIN (f->pipeline), "src");
  f->sink = gst_bin_get_by_name (GST_BIN (f->pipeline), "sink");
  g_mutex_init (&f->lock);
  f->samples = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_sample_unref);
  f->pushed = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  g_object_set (f->src, "pace", FALSE, NULL);
  if (collect)
    gst_app_sink_set_callbacks (GST_APP_SINK (f->sink), &callbacks, f, NULL);
  return f;
}

static GstState
current_state (GstElement * element)
{
  GstState state = GST_STATE_VOID_PENDING;

  gst_element_get_state (element, &state, NULL, 0);
  return state;
}

/* The pipeline itself only completes PLAYING with the first buffer (appsink
 * prerolls late behind a live source): wait for the source alone. */
static void
fixture_set_state (Fixture * f, GstState state)
{
  g_autofree gchar *uri = NULL;

  fail_unless (gst_element_set_state (f->pipeline, state) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (WS_WAIT_UNTIL (current_state (f->src) == state, 5000));
  g_object_get (f->src, "uri", &uri, NULL);
  if (state >= GST_STATE_READY && uri == NULL)
    f->port = ws_test_port (f->src);
}

/* Raw audio later than the latency behind the clock is dropped: a generous
 * one keeps a loaded machine from thinning out the byte-exact tests. */
#define RELAXED_LATENCY_MS 10000

static Fixture *
fixture_playing (void)
{
  Fixture *f = fixture_new (NULL, TRUE);

  g_object_set (f->src, "latency", RELAXED_LATENCY_MS, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  return f;
}

static gpointer
set_null_thread (gpointer data)
{
  gst_element_set_state (GST_ELEMENT (data), GST_STATE_NULL);
  return data;
}

/* Goes to NULL in another thread while this one runs the clients, so they
 * can answer the element's close handshake. */
static void
set_null_serving_clients (GstElement * element)
{
  GThread *thread = g_thread_new ("set-null", set_null_thread, element);

  WS_WAIT_UNTIL (current_state (element) == GST_STATE_NULL, 5000);
  g_thread_join (thread);
}

static void
fixture_free (Fixture * f)
{
  GstBus *bus = gst_element_get_bus (f->pipeline);
  GstMessage *error;

  set_null_serving_clients (f->pipeline);
  /* Whatever the clients did, the pipeline never errors because of them. */
  error = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (error == NULL, "unexpected error %" GST_PTR_FORMAT, error);
  gst_object_unref (bus);
  gst_object_unref (f->src);
  gst_object_unref (f->sink);
  gst_object_unref (f->pipeline);
  g_ptr_array_unref (f->samples);
  g_array_unref (f->pushed);
  g_mutex_clear (&f->lock);
  g_free (f);
}

static gsize
fixture_total (Fixture * f)
{
  gsize total;

  g_mutex_lock (&f->lock);
  total = f->total;
  g_mutex_unlock (&f->lock);
  return total;
}

static guint
fixture_n_buffers (Fixture * f)
{
  guint n;

  g_mutex_lock (&f->lock);
  n = f->samples->len;
  g_mutex_unlock (&f->lock);
  return n;
}

static GstSample *
fixture_sample (Fixture * f, guint i)
{
  GstSample *sample;

  g_mutex_lock (&f->lock);
  fail_unless (i < f->samples->len);
  sample = gst_sample_ref (g_ptr_array_index (f->samples, i));
  g_mutex_unlock (&f->lock);
  return sample;
}

#define BUFFER(f, i) gst_sample_get_buffer (sample[i] = fixture_sample (f, i))

/* Everything appsink got, concatenated; checks each buffer holds whole
 * frames of @bpf bytes. */
static GByteArray *
fixture_data (Fixture * f, guint bpf)
{
  GByteArray *data = g_byte_array_new ();
  guint i;

  g_mutex_lock (&f->lock);
  for (i = 0; i < f->samples->len; i++) {
    GstBuffer *buf = gst_sample_get_buffer (g_ptr_array_index (f->samples, i));
    GstMapInfo map;

    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    fail_unless (map.size % bpf == 0, "buffer of %" G_GSIZE_FORMAT " bytes",
        map.size);
    g_byte_array_append (data, map.data, map.size);
    gst_buffer_unmap (buf, &map);
  }
  g_mutex_unlock (&f->lock);
  return data;
}

static SoupWebsocketConnection *
connect_ok (guint port, const gchar * path_query)
{
  guint status = 0;
  SoupWebsocketConnection *conn;

  conn = ws_test_connect (port, path_query, NULL, &status);
  fail_unless (conn != NULL, "%s refused with HTTP %u", path_query, status);
  return conn;
}

static guint
connect_refused (guint port, const gchar * path_query,
    const gchar * const *headers)
{
  guint status = 0;
  SoupWebsocketConnection *conn;

  conn = ws_test_connect (port, path_query, headers, &status);
  fail_unless (conn == NULL, "%s was accepted", path_query);
  return status;
}

static gboolean
is_closed (SoupWebsocketConnection * conn)
{
  return soup_websocket_connection_get_state (conn) ==
      SOUP_WEBSOCKET_STATE_CLOSED;
}

/* Waits until the element closes @conn and returns the close code. */
static gushort
wait_closed_by_peer (SoupWebsocketConnection * conn)
{
  fail_unless (WS_WAIT_UNTIL (is_closed (conn), 5000));
  return soup_websocket_connection_get_close_code (conn);
}

static void
client_close (SoupWebsocketConnection * conn)
{
  if (!is_closed (conn)) {
    soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    fail_unless (WS_WAIT_UNTIL (is_closed (conn), 5000));
  }
  g_object_unref (conn);
}

/* @size bytes of a pattern unique to @index. */
static guint8 *
pattern (guint index, gsize size)
{
  guint8 *data = g_malloc (size);
  gsize i;

  for (i = 0; i < size; i++)
    data[i] = (guint8) (index * 31 + i * 7 + (i >> 8));
  return data;
}

/* Sends @size bytes of pattern(); appends them to @sent. */
static void
send_pattern (SoupWebsocketConnection * conn, guint index, gsize size,
    GByteArray * sent)
{
  guint8 *data = pattern (index, size);

  soup_websocket_connection_send_binary (conn, data, size);
  if (sent != NULL)
    g_byte_array_append (sent, data, size);
  g_free (data);
}

static void
assert_bytes_equal (const GByteArray * got, const guint8 * want, gsize len)
{
  fail_unless_equals_uint64 (got->len, len);
  fail_unless (memcmp (got->data, want, len) == 0, "payload differs");
}

GST_START_TEST (test_port_zero_and_latency_query)
{
  Fixture *f = fixture_new (NULL, TRUE);
  GstQuery *query;
  gboolean live;
  GstClockTime min, max;
  gint port;

  g_object_get (f->src, "current-port", &port, NULL);
  fail_unless_equals_int (port, 0);
  /* Listening from READY on, before anything is captured. */
  fixture_set_state (f, GST_STATE_READY);
  fail_unless (f->port > 0);
  client_close (connect_ok (f->port, "/"));

  fixture_set_state (f, GST_STATE_PLAYING);
  query = gst_query_new_latency ();
  fail_unless (gst_element_query (f->src, query));
  gst_query_parse_latency (query, &live, &min, &max);
  fail_unless (live);
  fail_unless_equals_uint64 (min, 40 * GST_MSECOND);
  fail_unless (max >= min);
  gst_query_unref (query);

  set_null_serving_clients (f->pipeline);
  g_object_get (f->src, "current-port", &port, NULL);
  fail_unless_equals_int (port, 0);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_roundtrip_byte_exact)
{
  Fixture *f = fixture_playing ();
  SoupWebsocketConnection *conn = connect_ok (f->port, "/");
  GByteArray *sent = g_byte_array_new (), *got;
  guint i;

  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 1, 5000));
  for (i = 0; i < 100; i++)
    send_pattern (conn, i, MSG_SIZE, sent);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) >= sent->len, 5000));
  got = fixture_data (f, 4);
  assert_bytes_equal (got, sent->data, sent->len);
  fail_unless_equals_uint64 (ws_test_bytes_received (f->src), sent->len);

  client_close (conn);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 0, 5000));
  g_byte_array_unref (got);
  g_byte_array_unref (sent);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_odd_text_and_oversize_messages)
{
  static const gsize sizes[] = { 3, 5, 511, 1, 2, 6, 4, 1000, 7, 2 };
  Fixture *f = fixture_playing ();
  SoupWebsocketConnection *conn = connect_ok (f->port, "/"), *next;
  GByteArray *sent = g_byte_array_new (), *got;
  gsize whole;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    send_pattern (conn, i, sizes[i], sent);
    if (i == 2)
      soup_websocket_connection_send_text (conn, "not audio");
  }
  /* 1541 bytes: 385 whole F32 frames, the last byte waits for more. */
  whole = sent->len - sent->len % 4;
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) >= whole, 5000));
  got = fixture_data (f, 4);
  assert_bytes_equal (got, sent->data, whole);
  g_byte_array_unref (got);

  /* Still a byte short of a frame, then one more byte than allowed. */
  send_pattern (conn, 99, 2, sent);
  send_pattern (conn, 100, 65537, NULL);
  fail_unless_equals_int (wait_closed_by_peer (conn),
      SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_object_unref (conn);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 0, 5000));

  /* The next client streams as if nothing happened. */
  next = connect_ok (f->port, "/");
  g_byte_array_set_size (sent, whole);
  for (i = 0; i < 4; i++)
    send_pattern (next, 200 + i, MSG_SIZE, sent);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) >= sent->len, 5000));
  got = fixture_data (f, 4);
  assert_bytes_equal (got, sent->data, sent->len);
  client_close (next);
  g_byte_array_unref (got);
  g_byte_array_unref (sent);
  fixture_free (f);
}

GST_END_TEST;

#define OP_TEXT 0x1
#define OP_BINARY 0x2
#define OP_CLOSE 0x8
#define OP_PING 0x9
#define FIN 0x80

/* Ends a raw connection the polite way: our close, the element's answer. */
static void
raw_close (GSocketConnection * raw)
{
  static const guint8 normal[] = { 0x03, 0xe8 };

  fail_unless (ws_test_raw_send (raw, FIN | OP_CLOSE, TRUE, normal, 2));
  fail_unless_equals_int (ws_test_raw_read_close (raw), 1000);
  g_object_unref (raw);
}

#define FLOOD_FRAGMENT (16 * 1024)
#define FLOOD_TOTAL (16 * 1024 * 1024)

/* Each fragment is small, their sum is not: the client gets 1009 and the
 * element keeps none of it. */
GST_START_TEST (test_fragmented_oversize_message)
{
  Fixture *f = fixture_playing ();
  GSocketConnection *raw;
  SoupWebsocketConnection *next;
  GByteArray *sent = g_byte_array_new (), *got;
  guint8 *fragment = pattern (0, FLOOD_FRAGMENT);
  gsize rss_start, rss_end, total = 0;
  gboolean ok;

  raw = ws_test_raw_upgrade (f->port, 0);
  /* An element that kept reading would never answer: fail, not hang. */
  g_socket_set_timeout (g_socket_connection_get_socket (raw), 10);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 1, 5000));
  rss_start = ws_test_rss_kib ();
  ok = ws_test_raw_send (raw, OP_BINARY, TRUE, fragment, FLOOD_FRAGMENT);
  /* The element drops the connection once its 1009 is out: writes fail. */
  for (total = FLOOD_FRAGMENT; ok && total < FLOOD_TOTAL;
      total += FLOOD_FRAGMENT)
    ok = ws_test_raw_send (raw, 0, TRUE, fragment, FLOOD_FRAGMENT);
  fail_unless_equals_int (ws_test_raw_read_close (raw), 1009);
  rss_end = ws_test_rss_kib ();
  GST_INFO ("sent %" G_GSIZE_FORMAT " bytes; RSS %" G_GSIZE_FORMAT " -> %"
      G_GSIZE_FORMAT " KiB", total, rss_start, rss_end);
  fail_unless (rss_end < rss_start + 4096, "memory grew from %" G_GSIZE_FORMAT
      " to %" G_GSIZE_FORMAT " KiB", rss_start, rss_end);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 0, 5000));
  fail_unless_equals_int (fixture_n_buffers (f), 0);
  g_object_unref (raw);

  next = connect_ok (f->port, "/");
  send_pattern (next, 1, MSG_SIZE, sent);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == MSG_SIZE, 5000));
  got = fixture_data (f, 4);
  assert_bytes_equal (got, sent->data, sent->len);
  client_close (next);
  g_byte_array_unref (got);
  g_byte_array_unref (sent);
  g_free (fragment);
  fixture_free (f);
}

GST_END_TEST;

/* Fragments (a ping among them) make one buffer, byte for byte. */
GST_START_TEST (test_fragmented_message_delivered_whole)
{
  Fixture *f = fixture_playing ();
  GSocketConnection *raw;
  guint8 *data = pattern (7, MSG_SIZE);
  GByteArray *got;

  raw = ws_test_raw_upgrade (f->port, 0);
  fail_unless (ws_test_raw_send (raw, OP_BINARY, TRUE, data, 100));
  fail_unless (ws_test_raw_send (raw, FIN | OP_PING, TRUE, data, 4));
  fail_unless (ws_test_raw_send (raw, 0, TRUE, data + 100, 201));
  fail_unless (ws_test_raw_send (raw, FIN, TRUE, data + 301, MSG_SIZE - 301));
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == MSG_SIZE, 5000));
  fail_unless_equals_int (fixture_n_buffers (f), 1);
  got = fixture_data (f, 4);
  assert_bytes_equal (got, data, MSG_SIZE);
  fail_unless_equals_uint64 (ws_test_bytes_received (f->src), MSG_SIZE);
  raw_close (raw);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 0, 5000));
  g_byte_array_unref (got);
  g_free (data);
  fixture_free (f);
}

GST_END_TEST;

/* Valid text, even split inside a character, is ignored; invalid text
 * costs the connection (1007) and nothing else. */
GST_START_TEST (test_invalid_utf8_text)
{
  static const guint8 bad[] = { 'o', 'k', 0xc0, 0xaf };
  Fixture *f = fixture_playing ();
  GSocketConnection *raw;
  SoupWebsocketConnection *next;
  guint8 *data = pattern (3, MSG_SIZE);
  GByteArray *sent = g_byte_array_new (), *got;

  raw = ws_test_raw_upgrade (f->port, 0);
  fail_unless (ws_test_raw_send (raw, FIN | OP_BINARY, TRUE, data, MSG_SIZE));
  g_byte_array_append (sent, data, MSG_SIZE);
  fail_unless (ws_test_raw_send (raw, OP_TEXT, TRUE, (guint8 *) "caf\xc3", 4));
  fail_unless (ws_test_raw_send (raw, FIN, TRUE, (guint8 *) "\xa9", 1));
  fail_unless (ws_test_raw_send (raw, FIN | OP_TEXT, TRUE, bad, sizeof (bad)));
  fail_unless_equals_int (ws_test_raw_read_close (raw), 1007);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 0, 5000));
  g_object_unref (raw);

  next = connect_ok (f->port, "/");
  send_pattern (next, 4, MSG_SIZE, sent);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == 2 * MSG_SIZE, 5000));
  got = fixture_data (f, 4);
  assert_bytes_equal (got, sent->data, sent->len);
  client_close (next);
  g_byte_array_unref (got);
  g_byte_array_unref (sent);
  g_free (data);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_unmasked_frame)
{
  Fixture *f = fixture_playing ();
  GSocketConnection *raw;
  guint8 *data = pattern (5, MSG_SIZE);

  raw = ws_test_raw_upgrade (f->port, 0);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 1, 5000));
  fail_unless (ws_test_raw_send (raw, FIN | OP_BINARY, FALSE, data, MSG_SIZE));
  fail_unless_equals_int (ws_test_raw_read_close (raw), 1002);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 0, 5000));
  fail_unless_equals_int (fixture_n_buffers (f), 0);
  g_object_unref (raw);
  g_free (data);
  fixture_free (f);
}

GST_END_TEST;

static GstStructure *
sample_structure (GstSample * sample)
{
  return gst_caps_get_structure (gst_sample_get_caps (sample), 0);
}

static void
assert_caps (GstSample * sample, const gchar * format, gint rate, gint channels)
{
  GstStructure *s = sample_structure (sample);
  gint value = 0;

  fail_unless_equals_string (gst_structure_get_string (s, "format"), format);
  fail_unless (gst_structure_get_int (s, "rate", &value));
  fail_unless_equals_int (value, rate);
  fail_unless (gst_structure_get_int (s, "channels", &value));
  fail_unless_equals_int (value, channels);
}

GST_START_TEST (test_declared_format)
{
  Fixture *f = fixture_playing ();
  SoupWebsocketConnection *conn;
  GstSample *sample[3];
  guint n;

  conn = connect_ok (f->port,
      "/?rate=48000&channels=1&format=F32LE&jwt_token=abc");
  send_pattern (conn, 0, MSG_SIZE, NULL);
  fail_unless (WS_WAIT_UNTIL (fixture_n_buffers (f) == 1, 5000));
  BUFFER (f, 0);
  assert_caps (sample[0], "F32LE", 48000, 1);

  /* The next talker brings its own format, then the default one returns. */
  client_close (conn);
  conn = connect_ok (f->port, "/?format=S16LE&channels=2&rate=16000");
  send_pattern (conn, 1, 6, NULL);      /* a frame and a half */
  fail_unless (WS_WAIT_UNTIL (fixture_n_buffers (f) == 2, 5000));
  fail_unless_equals_int (gst_buffer_get_size (BUFFER (f, 1)), 4);
  assert_caps (sample[1], "S16LE", 16000, 2);
  client_close (conn);
  conn = connect_ok (f->port, "/?unknown=1");
  send_pattern (conn, 2, MSG_SIZE, NULL);
  fail_unless (WS_WAIT_UNTIL (fixture_n_buffers (f) == 3, 5000));
  BUFFER (f, 2);
  assert_caps (sample[2], "F32LE", 44100, 1);
  client_close (conn);

  fail_unless_equals_int (connect_refused (f->port, "/?format=U8", NULL),
      SOUP_STATUS_BAD_REQUEST);
  fail_unless_equals_int (connect_refused (f->port, "/?rate=0", NULL),
      SOUP_STATUS_BAD_REQUEST);
  fail_unless_equals_int (connect_refused (f->port, "/?channels=x", NULL),
      SOUP_STATUS_BAD_REQUEST);
  for (n = 0; n < 3; n++)
    gst_sample_unref (sample[n]);
  fixture_free (f);
}

GST_END_TEST;

/* Downstream only takes 44100 Hz: a 48 kHz talker is closed with 1003,
 * the stream carries on with the next one. */
GST_START_TEST (test_refused_format_costs_only_that_client)
{
  Fixture *f = fixture_new ("caps=audio/x-raw,rate=44100", TRUE);
  SoupWebsocketConnection *conn;
  GByteArray *sent = g_byte_array_new (), *got;

  g_object_set (f->src, "latency", RELAXED_LATENCY_MS, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  conn = connect_ok (f->port, "/?rate=48000");
  send_pattern (conn, 0, MSG_SIZE, NULL);
  fail_unless_equals_int (wait_closed_by_peer (conn),
      SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA);
  g_object_unref (conn);
  conn = connect_ok (f->port, "/");
  send_pattern (conn, 1, MSG_SIZE, sent);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == MSG_SIZE, 5000));
  got = fixture_data (f, 4);
  assert_bytes_equal (got, sent->data, sent->len);
  client_close (conn);
  g_byte_array_unref (got);
  g_byte_array_unref (sent);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_port_in_use_is_an_element_error)
{
  Fixture *f = fixture_playing ();
  GstElement *other = gst_element_factory_make ("websocketsrc", NULL);
  GstBus *bus = gst_bus_new ();
  g_autofree gchar *port = g_strdup_printf (":%u", f->port);
  GstMessage *msg;
  GError *error = NULL;

  gst_element_set_bus (other, bus);
  g_object_set (other, "port", f->port, NULL);
  fail_unless_equals_int (gst_element_set_state (other, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &error, NULL);
  fail_unless (strstr (error->message, port) != NULL, "%s", error->message);
  g_error_free (error);
  gst_message_unref (msg);
  gst_element_set_state (other, GST_STATE_NULL);
  gst_object_unref (other);
  gst_object_unref (bus);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_token_and_origin)
{
  static const gchar *const bad_origin[] =
      { "Origin", "https://evil.example.com", NULL };
  static const gchar *const good_origin[] =
      { "Origin", "https://desk.example.com", NULL };
  Fixture *f = fixture_playing ();
  guint status = 0;

  g_object_set (f->src, "token", "s3cret", NULL);
  fail_unless_equals_int (connect_refused (f->port, "/", NULL),
      SOUP_STATUS_UNAUTHORIZED);
  client_close (connect_ok (f->port, "/?token=s3cret&rate=48000"));

  g_object_set (f->src, "token", NULL, "allowed-origins",
      "https://desk.example.com", NULL);
  fail_unless_equals_int (connect_refused (f->port, "/", bad_origin),
      SOUP_STATUS_FORBIDDEN);
  client_close (ws_test_connect (f->port, "/", good_origin, &status));
  fail_unless_equals_int (status, SOUP_STATUS_SWITCHING_PROTOCOLS);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_newest_talker_takes_over)
{
  Fixture *f = fixture_playing ();
  SoupWebsocketConnection *a, *b;
  GByteArray *sent = g_byte_array_new (), *got;

  a = connect_ok (f->port, "/");
  send_pattern (a, 1, MSG_SIZE, sent);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == MSG_SIZE, 5000));
  b = connect_ok (f->port, "/");
  fail_unless_equals_int (wait_closed_by_peer (a), SOUP_WEBSOCKET_CLOSE_NORMAL);
  send_pattern (b, 2, MSG_SIZE, sent);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == 2 * MSG_SIZE, 5000));
  got = fixture_data (f, 4);
  assert_bytes_equal (got, sent->data, sent->len);
  fail_unless_equals_int (ws_test_num_clients (f->src), 1);

  /* The talker leaving does not end the stream. */
  client_close (b);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 0, 5000));
  b = connect_ok (f->port, "/");
  send_pattern (b, 3, MSG_SIZE, NULL);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == 3 * MSG_SIZE, 5000));
  client_close (b);
  g_object_unref (a);
  g_byte_array_unref (got);
  g_byte_array_unref (sent);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_first_talker_keeps_it)
{
  Fixture *f = fixture_playing ();
  SoupWebsocketConnection *a, *b;
  GByteArray *sent = g_byte_array_new (), *got;

  gst_util_set_object_arg (G_OBJECT (f->src), "talker-policy", "first");
  a = connect_ok (f->port, "/");
  b = connect_ok (f->port, "/");
  fail_unless_equals_int (wait_closed_by_peer (b), 1013);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 1, 5000));
  send_pattern (a, 1, MSG_SIZE, sent);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == MSG_SIZE, 5000));
  got = fixture_data (f, 4);
  assert_bytes_equal (got, sent->data, sent->len);
  client_close (a);
  g_object_unref (b);
  g_byte_array_unref (got);
  g_byte_array_unref (sent);
  fixture_free (f);
}

GST_END_TEST;

static GstClockTime
running_time (GstElement * pipeline)
{
  GstClock *clock = gst_pipeline_get_clock (GST_PIPELINE (pipeline));
  GstClockTime now = gst_clock_get_time (clock);

  gst_object_unref (clock);
  return now - gst_element_get_base_time (pipeline);
}

GST_START_TEST (test_timestamps_from_sample_count)
{
  Fixture *f = fixture_new (NULL, TRUE);
  SoupWebsocketConnection *conn;
  GstSample *sample[10];
  GstBuffer *buf;
  GstClockTime pts0 = 0;
  guint i;

  g_object_set (f->src, "latency", RELAXED_LATENCY_MS, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  conn = connect_ok (f->port, "/?rate=48000");
  for (i = 0; i < 10; i++)
    send_pattern (conn, i, MSG_SIZE, NULL);
  fail_unless (WS_WAIT_UNTIL (fixture_n_buffers (f) == 10, 5000));
  for (i = 0; i < 10; i++) {
    buf = BUFFER (f, i);
    if (i == 0)
      pts0 = GST_BUFFER_PTS (buf);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf) - pts0,
        gst_util_uint64_scale (128 * i, GST_SECOND, 48000));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf),
        gst_util_uint64_scale (128 * (i + 1), GST_SECOND, 48000) -
        gst_util_uint64_scale (128 * i, GST_SECOND, 48000));
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), 128 * i);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (buf), 128 * (i + 1));
    fail_unless_equals_int (GST_BUFFER_FLAG_IS_SET (buf,
            GST_BUFFER_FLAG_DISCONT), i == 0);
  }
  /* The first buffer ends about when it arrived. */
  fail_unless (pts0 + GST_BUFFER_DURATION (gst_sample_get_buffer (sample[0]))
      <= running_time (f->pipeline));
  for (i = 0; i < 10; i++)
    gst_sample_unref (sample[i]);
  client_close (conn);
  fixture_free (f);
}

GST_END_TEST;

static gboolean
is_silence (GstBuffer * buf)
{
  GstMapInfo map;
  gboolean silent = TRUE;
  gsize i;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (i = 0; i < map.size && silent; i++)
    silent = map.data[i] == 0;
  gst_buffer_unmap (buf, &map);
  return silent;
}

/* TRUE once more than @n buffers came and the last is not silence. */
static gboolean
audio_after (Fixture * f, guint n)
{
  GstSample *sample;
  guint count = fixture_n_buffers (f);
  gboolean audio;

  if (count <= n)
    return FALSE;
  sample = fixture_sample (f, count - 1);
  audio = !is_silence (gst_sample_get_buffer (sample));
  gst_sample_unref (sample);
  return audio;
}

static GstClockTime
buffer_end (GstBuffer * buf)
{
  return GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf);
}

/* The client pauses for longer than the jitter buffer: silence fills the
 * gap on a continuous timeline, and what it sends next is played as soon as
 * it arrives, not after the time the gap took. A new talker starts a new
 * timeline (DISCONT). */
GST_START_TEST (test_gap_filled_with_silence_then_new_talker)
{
  Fixture *f = fixture_new (NULL, TRUE);
  SoupWebsocketConnection *conn;
  GstSample *sample;
  GstBuffer *buf;
  GstClockTime end, sent_at, silence = 0;
  guint i, n;

  g_object_set (f->src, "latency", 100, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  conn = connect_ok (f->port, "/?rate=48000");
  send_pattern (conn, 0, MSG_SIZE, NULL);
  send_pattern (conn, 1, MSG_SIZE, NULL);
  fail_unless (WS_WAIT_UNTIL (fixture_n_buffers (f) == 2, 5000));
  sample = fixture_sample (f, 0);
  fail_unless (GST_BUFFER_IS_DISCONT (gst_sample_get_buffer (sample)));
  gst_sample_unref (sample);
  sample = fixture_sample (f, 1);
  fail_if (GST_BUFFER_IS_DISCONT (gst_sample_get_buffer (sample)));
  end = buffer_end (gst_sample_get_buffer (sample));
  gst_sample_unref (sample);

  /* The client pauses for half a second. */
  WS_WAIT_UNTIL (running_time (f->pipeline) > end + 500 * GST_MSECOND, 5000);
  sent_at = running_time (f->pipeline);
  send_pattern (conn, 2, MSG_SIZE, NULL);
  fail_unless (WS_WAIT_UNTIL (audio_after (f, 2), 5000));
  n = fixture_n_buffers (f);
  for (i = 2; i < n; i++) {
    sample = fixture_sample (f, i);
    buf = gst_sample_get_buffer (sample);
    fail_if (GST_BUFFER_IS_DISCONT (buf));
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), end);
    end = buffer_end (buf);
    if (i < n - 1) {
      fail_unless (is_silence (buf));
      silence += GST_BUFFER_DURATION (buf);
    }
    gst_sample_unref (sample);
  }
  fail_unless (silence >= 300 * GST_MSECOND, "%" GST_TIME_FORMAT
      " of silence", GST_TIME_ARGS (silence));
  /* The message ends on the timeline about when it arrived. */
  fail_unless (end >= sent_at && end < sent_at + 100 * GST_MSECOND,
      "ends %" GST_TIME_FORMAT ", sent %" GST_TIME_FORMAT,
      GST_TIME_ARGS (end), GST_TIME_ARGS (sent_at));
  client_close (conn);

  conn = connect_ok (f->port, "/?rate=48000");
  send_pattern (conn, 3, MSG_SIZE, NULL);
  fail_unless (WS_WAIT_UNTIL (audio_after (f, n), 5000));
  sample = fixture_sample (f, fixture_n_buffers (f) - 1);
  fail_unless (GST_BUFFER_IS_DISCONT (gst_sample_get_buffer (sample)));
  gst_sample_unref (sample);
  client_close (conn);
  fixture_free (f);
}

GST_END_TEST;

static GstStructure *
stats (Fixture * f)
{
  GstStructure *st = NULL;

  g_object_get (f->src, "stats", &st, NULL);
  fail_unless (st != NULL);
  return st;
}

static guint64
stats_uint64 (Fixture * f, const gchar * field)
{
  GstStructure *st = stats (f);
  guint64 value = 0;

  fail_unless (gst_structure_get_uint64 (st, field, &value));
  gst_structure_free (st);
  return value;
}

static gdouble
stats_double (Fixture * f, const gchar * field)
{
  GstStructure *st = stats (f);
  gdouble value = 0;

  fail_unless (gst_structure_get_double (st, field, &value));
  gst_structure_free (st);
  return value;
}

static gboolean
talked_for (WsTestTalker * t, gdouble seconds)
{
  return t->sent >= seconds * t->rate;
}

/* A sink that synchronises holds each buffer until its running time plus
 * the pipeline latency (here the jitter buffer and appsink's 20 ms of
 * processing deadline): the buffers waiting meanwhile are not late. Every
 * one of a real-time talker's buffers comes out, on one timeline. (The
 * jitter buffer is large so that a test process starved on a loaded
 * machine does not send in bursts the source would rightly cut.) */
GST_START_TEST (test_synchronised_sink_gets_everything)
{
  Fixture *f = fixture_new ("sync=true", TRUE);
  WsTestTalker talker;
  guint status = 0, i, disconts = 0;

  g_object_set (f->src, "latency", 300, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  fail_unless (ws_test_talker_start (&talker, f->port, "/?rate=48000", 48000,
          &status));
  fail_unless (WS_WAIT_UNTIL (talked_for (&talker, 0.8), 5000));
  ws_test_talker_stop (&talker);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == talker.sent * 4, 5000),
      "%" G_GSIZE_FORMAT " bytes of %" G_GUINT64_FORMAT, fixture_total (f),
      talker.sent * 4);
  for (i = 0; i < fixture_n_buffers (f); i++) {
    GstSample *sample = fixture_sample (f, i);

    disconts += GST_BUFFER_IS_DISCONT (gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  }
  fail_unless_equals_int (disconts, 1);
  fail_unless_equals_uint64 (stats_uint64 (f, "late"), 0);
  fixture_free (f);
}

GST_END_TEST;

/* Runs a 1 kHz talker at @rate declaring @query until @seconds; returns
 * the index of the first buffer at @expect_rate, or -1. */
static GstClockTime
fixture_pushed (Fixture * f, guint i)
{
  GstClockTime t;

  g_mutex_lock (&f->lock);
  t = g_array_index (f->pushed, GstClockTime, i);
  g_mutex_unlock (&f->lock);
  return t;
}

static gint
compare_time (gconstpointer a, gconstpointer b)
{
  GstClockTime x = *(const GstClockTime *) a, y = *(const GstClockTime *) b;

  return x < y ? -1 : x > y;
}

/* A sink that does not synchronise plays what it gets at once. Paced, the
 * source pushes each buffer when its time plus the jitter buffer comes:
 * a talker sending in bursts (every 60 ms, within the 100 ms jitter
 * buffer) comes out as a steady stream, every buffer held until it is due
 * and none much later, with no silence and nothing late. (Unpaced, the
 * first buffers of each burst go out as soon as they arrive, long before
 * they are due.) */
GST_START_TEST (test_paced_for_a_sink_that_does_not_synchronise)
{
  Fixture *f = fixture_new (NULL, TRUE);
  const GstClockTime jitter = 100 * GST_MSECOND;
  WsTestTalker talker;
  guint status = 0, i, n;
  GArray *held = g_array_new (FALSE, FALSE, sizeof (GstClockTime));
  GstClockTime min = GST_CLOCK_TIME_NONE, median;

  g_object_set (f->src, "latency", 100, "pace", TRUE, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  fail_unless (ws_test_talker_start_full (&talker, f->port, "/?rate=48000",
          48000, 1.0, 60, 1000, &status));
  fail_unless (WS_WAIT_UNTIL (talked_for (&talker, 1.0), 5000));
  ws_test_talker_stop (&talker);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) >= talker.sent * 4, 5000));
  n = fixture_n_buffers (f);
  for (i = 0; i < n; i++) {
    GstSample *sample = fixture_sample (f, i);
    GstClockTime pts = GST_BUFFER_PTS (gst_sample_get_buffer (sample));
    GstClockTime delay = fixture_pushed (f, i) - pts;

    gst_sample_unref (sample);
    min = MIN (min, delay);
    g_array_append_val (held, delay);
  }
  g_array_sort (held, compare_time);
  median = g_array_index (held, GstClockTime, n / 2);
  /* Pushed from its time plus the jitter buffer on, within scheduling. */
  fail_unless (min + GST_MSECOND >= jitter, "pushed %" GST_TIME_FORMAT
      " after its time", GST_TIME_ARGS (min));
  fail_unless (median < jitter + 10 * GST_MSECOND, "median %" GST_TIME_FORMAT
      " after its time", GST_TIME_ARGS (median));
  fail_unless_equals_uint64 (stats_uint64 (f, "silence"), 0);
  fail_unless_equals_uint64 (stats_uint64 (f, "late"), 0);
  g_array_unref (held);
  fixture_free (f);
}

GST_END_TEST;

/* Holds the streaming thread once, inside the push of the first buffer
 * STALL_AFTER into the stream, until the pipeline clock is STALL later:
 * what a busy machine, or a sink or PulseAudio running late, does. */
#define STALL_AFTER (300 * GST_MSECOND)
#define STALL (80 * GST_MSECOND)

typedef struct
{
  GstElement *pipeline;
  GstClockTime first;           /* PTS of the first buffer */
  GstClockTime stalled;         /* PTS of the one held, or NONE */
} Stall;

static GstPadProbeReturn
stall_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Stall *stall = data;
  GstClockTime pts = GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info));
  GstClock *clock;
  GstClockID id;

  if (!GST_CLOCK_TIME_IS_VALID (pts)
      || GST_CLOCK_TIME_IS_VALID (stall->stalled))
    return GST_PAD_PROBE_OK;
  if (!GST_CLOCK_TIME_IS_VALID (stall->first))
    stall->first = pts;
  if (pts < stall->first + STALL_AFTER)
    return GST_PAD_PROBE_OK;
  stall->stalled = pts;
  clock = gst_pipeline_get_clock (GST_PIPELINE (stall->pipeline));
  id = gst_clock_new_single_shot_id (clock, gst_clock_get_time (clock) +
      STALL);
  gst_clock_id_wait (id, NULL);
  gst_clock_id_unref (id);
  gst_object_unref (clock);
  return GST_PAD_PROBE_OK;
}

/* Paced, a sink that does not synchronise keeps only a small cushion of
 * its own. The streaming thread held for 80 ms, 20 ms less than the
 * jitter buffer (so the timeline itself never resyncs): the audio that
 * fell behind meanwhile by more than a quarter of the jitter buffer is
 * dropped, counted as late, and the stream goes on with a DISCONT buffer in
 * time. Pushed all the same, it would reach the sink up to 80 ms after it
 * was due, and pulsesink, having run dry, would keep it as latency for
 * good. */
GST_START_TEST (test_paced_drops_what_fell_behind)
{
  Fixture *f = fixture_new (NULL, TRUE);
  const GstClockTime jitter = 100 * GST_MSECOND;
  Stall stall = { f->pipeline, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE };
  GstPad *pad = gst_element_get_static_pad (f->src, "src");
  WsTestTalker talker;
  guint status = 0, i, n;
  GstClockTime behind = 0, late;
  gint first_after = -1;
  gboolean discont = FALSE;

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, stall_probe, &stall,
      NULL);
  g_object_set (f->src, "latency", 100, "pace", TRUE, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  fail_unless (ws_test_talker_start (&talker, f->port, "/?rate=48000",
          48000, &status));
  fail_unless (WS_WAIT_UNTIL (talked_for (&talker, 1.0), 5000));
  ws_test_talker_stop (&talker);
  /* All of it out or dropped, give or take the resampler's few frames. */
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) / 4 + (stats_uint64 (f,
                  "late") + stats_uint64 (f, "skipped")) * 48000 / GST_SECOND
          + 480 >= talker.sent, 5000));
  fail_unless (GST_CLOCK_TIME_IS_VALID (stall.stalled));
  n = fixture_n_buffers (f);
  for (i = 0; i < n; i++) {
    GstSample *sample = fixture_sample (f, i);
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstClockTime pts = GST_BUFFER_PTS (buf);

    if (pts > stall.stalled) {
      if (first_after < 0) {
        first_after = i;
        discont = GST_BUFFER_IS_DISCONT (buf);
      }
      /* What reached the sink well after it was due (the tolerance is
       * 25 ms). */
      if (fixture_pushed (f, i) > pts + jitter + 40 * GST_MSECOND)
        behind += GST_BUFFER_DURATION (buf);
    }
    gst_sample_unref (sample);
  }
  fail_unless (first_after > 0);
  late = stats_uint64 (f, "late");
  fail_unless (behind <= 10 * GST_MSECOND, "%" GST_TIME_FORMAT " of audio "
      "pushed more than 40 ms after it was due", GST_TIME_ARGS (behind));
  /* About the stall less the tolerance (25 ms) was dropped. */
  fail_unless (late >= STALL / 2 && late <= STALL + 10 * GST_MSECOND,
      "late %" GST_TIME_FORMAT, GST_TIME_ARGS (late));
  /* The stream goes on after a hole. */
  fail_unless (discont);
  gst_object_unref (pad);
  fixture_free (f);
}

GST_END_TEST;

static gint
talk_and_find_rate (Fixture * f, const gchar * query, gint rate,
    gdouble seconds, gint expect_rate, guint first)
{
  WsTestTalker talker;
  guint status = 0, i, n;
  gint found = -1;
  gboolean started = FALSE;

  fail_unless (ws_test_talker_start (&talker, f->port, query, rate, &status));
  fail_unless (WS_WAIT_UNTIL (talked_for (&talker, seconds), 5000));
  ws_test_talker_stop (&talker);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (f->src) == 0, 5000));
  n = fixture_n_buffers (f);
  for (i = first; i < n && found < 0; i++) {
    GstSample *sample = fixture_sample (f, i);
    gint value = 0;

    /* The talker's timeline starts with a DISCONT buffer: what the previous
     * talker left is before it. */
    started |= GST_BUFFER_IS_DISCONT (gst_sample_get_buffer (sample));
    gst_structure_get_int (sample_structure (sample), "rate", &value);
    if (started && value == expect_rate)
      found = i;
    gst_sample_unref (sample);
  }
  fail_unless (started);
  return found;
}

/* The tone in buffers @from to @to (F32 mono). */
static gdouble
buffers_frequency (Fixture * f, guint from, guint to, gint rate)
{
  GByteArray *data = g_byte_array_new ();
  gdouble hz;
  guint i;

  for (i = from; i < to; i++) {
    GstSample *sample = fixture_sample (f, i);
    GstMapInfo map;

    gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
    g_byte_array_append (data, map.data, map.size);
    gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
    gst_sample_unref (sample);
  }
  hz = tone_frequency ((gfloat *) data->data, data->len / 4, rate);
  g_byte_array_unref (data);
  return hz;
}

/* A 48 kHz client that declares nothing gets 48 kHz caps within half a
 * second, at the right pitch; not with infer-rate off, nor when it
 * declares another rate (both trust what they are told). */
GST_START_TEST (test_infers_undeclared_rate)
{
  Fixture *f = fixture_new (NULL, TRUE);
  GstSample *first_sample, *switched;
  GstClockTime took;
  guint inferred = 0, n;
  gint at;

  g_object_set (f->src, "latency", 100, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  at = talk_and_find_rate (f, "/", 48000, 0.9, 48000, 0);
  fail_unless (at > 0, "no 48 kHz caps");
  first_sample = fixture_sample (f, 0);
  switched = fixture_sample (f, at);
  assert_caps (first_sample, "F32LE", 44100, 1);
  took = GST_BUFFER_PTS (gst_sample_get_buffer (switched)) -
      GST_BUFFER_PTS (gst_sample_get_buffer (first_sample));
  GST_INFO ("48000 Hz inferred after %" GST_TIME_FORMAT, GST_TIME_ARGS (took));
  fail_unless (took < 500 * GST_MSECOND, "after %" GST_TIME_FORMAT,
      GST_TIME_ARGS (took));
  n = fixture_n_buffers (f);
  fail_unless (fabs (buffers_frequency (f, at, n, 48000) - 1000) < 20);
  g_object_get (f->src, "inferred-rate", &inferred, NULL);
  fail_unless_equals_int (inferred, 48000);
  fail_unless (fabs (stats_double (f, "measured-rate") / 48000 - 1) < 0.01);
  gst_sample_unref (first_sample);
  gst_sample_unref (switched);

  g_object_set (f->src, "infer-rate", FALSE, NULL);
  fail_unless_equals_int (talk_and_find_rate (f, "/", 48000, 0.7, 48000, n),
      -1);
  g_object_get (f->src, "inferred-rate", &inferred, NULL);
  fail_unless_equals_int (inferred, 0);

  g_object_set (f->src, "infer-rate", TRUE, NULL);
  n = fixture_n_buffers (f);
  fail_unless_equals_int (talk_and_find_rate (f, "/?rate=44100", 48000, 0.7,
          48000, n), -1);
  fixture_free (f);
}

GST_END_TEST;

/* A client whose clock runs 0.5 % fast: its rate is measured against the
 * pipeline clock and the audio resampled by that ratio, so that the
 * latency stays put (tests/plugin/test_wsaudiotiming.c runs ten minutes of
 * it, in simulated time). */
GST_START_TEST (test_drift_corrected)
{
  Fixture *f = fixture_new (NULL, TRUE);
  WsTestTalker talker;
  GstStructure *st;
  gint64 delay = 0;
  gdouble ratio = 0;
  guint status = 0;

  g_object_set (f->src, "latency", 300, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  fail_unless (ws_test_talker_start_full (&talker, f->port, "/?rate=48000",
          48000, 1.005, 0, 1000, &status));
  fail_unless (WS_WAIT_UNTIL (talked_for (&talker, 3.5), 10000));
  st = stats (f);
  fail_unless (gst_structure_get_double (st, "ratio", &ratio));
  fail_unless (gst_structure_get_int64 (st, "delay", &delay));
  GST_INFO ("%" GST_PTR_FORMAT, st);
  gst_structure_free (st);
  ws_test_talker_stop (&talker);
  fail_unless (fabs (stats_double (f, "measured-rate") / 48240 - 1) < 0.001);
  /* The measured ratio, corrected by at most 0.5 % for the latency. */
  fail_unless (fabs (ratio - 1.005) < 0.004, "ratio %f", ratio);
  /* The latency over the jitter buffer's target: uncorrected, the first
   * three seconds alone would have added 17 ms. */
  fail_unless (ABS (delay) < 10 * GST_MSECOND, "delay %" G_GINT64_FORMAT,
      delay);
  fixture_free (f);
}

GST_END_TEST;

/* Anything but raw audio: messages pass as they are, stamped on arrival. */
GST_START_TEST (test_other_caps_pass_through)
{
  static const gsize sizes[] = { 100, 188, 7 };
  Fixture *f = fixture_new (NULL, TRUE);
  GstCaps *caps = gst_caps_from_string ("video/mpegts,systemstream=true,"
      "packetsize=188");
  SoupWebsocketConnection *conn;
  GByteArray *sent = g_byte_array_new (), *got;
  GstSample *sample[3];
  GstClockTime last = 0;
  guint i;

  g_object_set (f->src, "caps", caps, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  conn = connect_ok (f->port, "/?rate=48000");
  for (i = 0; i < G_N_ELEMENTS (sizes); i++)
    send_pattern (conn, i, sizes[i], sent);
  fail_unless (WS_WAIT_UNTIL (fixture_n_buffers (f) == 3, 5000));
  got = fixture_data (f, 1);
  assert_bytes_equal (got, sent->data, sent->len);
  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    GstBuffer *buf = BUFFER (f, i);

    fail_unless_equals_uint64 (gst_buffer_get_size (buf), sizes[i]);
    fail_unless (GST_BUFFER_PTS_IS_VALID (buf));
    fail_unless (GST_BUFFER_PTS (buf) >= last);
    fail_unless_equals_int (GST_BUFFER_IS_DISCONT (buf), i == 0);
    last = GST_BUFFER_PTS (buf);
  }
  fail_unless (gst_caps_is_equal (gst_sample_get_caps (sample[0]), caps));
  for (i = 0; i < G_N_ELEMENTS (sizes); i++)
    gst_sample_unref (sample[i]);
  client_close (conn);
  gst_caps_unref (caps);
  g_byte_array_unref (got);
  g_byte_array_unref (sent);
  fixture_free (f);
}

GST_END_TEST;

/* Downstream stalls while a client sends three seconds of audio at once:
 * the source keeps about one second, the newest. */
GST_START_TEST (test_queue_bounded_when_downstream_stalls)
{
  Fixture *f = fixture_new ("max-buffers=1 drop=false", FALSE);
  SoupWebsocketConnection *conn;
  GByteArray *last = g_byte_array_new ();
  const gsize second = 48000 * 4, total = 3 * second;
  gsize pulled = 0;
  guint i, n = total / MSG_SIZE, disconts = 0;
  gboolean at_end = FALSE;

  g_object_set (f->src, "latency", RELAXED_LATENCY_MS, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  conn = connect_ok (f->port, "/?rate=48000");
  for (i = 0; i < n - 1; i++)
    send_pattern (conn, i, MSG_SIZE, NULL);
  send_pattern (conn, n - 1, MSG_SIZE, last);
  fail_unless (WS_WAIT_UNTIL (ws_test_bytes_received (f->src) == total, 10000));

  while (!at_end) {
    GstSample *s = gst_app_sink_try_pull_sample (GST_APP_SINK (f->sink),
        5 * GST_SECOND * ws_test_timeout_multiplier ());
    GstBuffer *buf;

    fail_unless (s != NULL, "the last message never came out");
    buf = gst_sample_get_buffer (s);
    pulled += gst_buffer_get_size (buf);
    disconts += GST_BUFFER_IS_DISCONT (buf);
    at_end = gst_buffer_get_size (buf) == MSG_SIZE
        && gst_buffer_memcmp (buf, 0, last->data, MSG_SIZE) == 0;
    gst_sample_unref (s);
  }
  /* A second in the queue, plus what appsink and the streaming thread
   * held when the flood came. */
  fail_unless (pulled <= second + 4 * MSG_SIZE, "%" G_GSIZE_FORMAT " bytes",
      pulled);
  /* The gap is flagged (on the first buffer too, when it came first). */
  fail_unless (disconts >= 1);
  client_close (conn);
  g_byte_array_unref (last);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_ready_accepts_and_null_closes_with_1001)
{
  Fixture *f = fixture_new (NULL, TRUE);
  SoupWebsocketConnection *conn;

  fixture_set_state (f, GST_STATE_READY);
  conn = connect_ok (f->port, "/");
  send_pattern (conn, 0, MSG_SIZE, NULL);
  fail_unless (WS_WAIT_UNTIL (ws_test_bytes_received (f->src) == MSG_SIZE,
          5000));
  fail_unless_equals_int (ws_test_num_clients (f->src), 1);
  set_null_serving_clients (f->pipeline);
  fail_unless_equals_int (wait_closed_by_peer (conn),
      SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  fail_unless_equals_int (ws_test_num_clients (f->src), 0);
  /* Nothing captured before PLAYING reaches the stream. */
  fail_unless_equals_int (fixture_n_buffers (f), 0);
  g_object_unref (conn);
  fixture_free (f);
}

GST_END_TEST;

static guint
count_dir (const gchar * path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  fail_unless (dir != NULL);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}

static void
cycle (Fixture * f, gboolean with_client)
{
  SoupWebsocketConnection *conn;

  fixture_set_state (f, GST_STATE_READY);
  fixture_set_state (f, GST_STATE_PLAYING);
  if (with_client) {
    conn = connect_ok (f->port, "/");
    send_pattern (conn, 0, MSG_SIZE, NULL);
    fail_unless (WS_WAIT_UNTIL (fixture_n_buffers (f) > 0, 5000));
    fixture_set_state (f, GST_STATE_READY);
    set_null_serving_clients (f->pipeline);
    wait_closed_by_peer (conn);
    g_object_unref (conn);
    return;
  }
  fixture_set_state (f, GST_STATE_READY);
  fail_unless (gst_element_set_state (f->pipeline, GST_STATE_NULL) ==
      GST_STATE_CHANGE_SUCCESS);
}

GST_START_TEST (test_state_cycles_leak_nothing)
{
  Fixture *f = fixture_new (NULL, TRUE);
  guint fds, tasks, i;

  /* Warm up: GLib and GStreamer keep some threads for good. */
  cycle (f, TRUE);
  cycle (f, FALSE);
  fds = count_dir ("/proc/self/fd");
  tasks = count_dir ("/proc/self/task");
  for (i = 0; i < 100; i++)
    cycle (f, i % 10 == 0);
  fail_unless (WS_WAIT_UNTIL (count_dir ("/proc/self/fd") <= fds
          && count_dir ("/proc/self/task") <= tasks, 5000),
      "fds %u -> %u, threads %u -> %u", fds, count_dir ("/proc/self/fd"),
      tasks, count_dir ("/proc/self/task"));
  fixture_free (f);
}

GST_END_TEST;

/* Client mode: the test runs the server. */
static void
server_ws_cb (SoupServer * server, SoupServerMessage * msg, const char *path,
    SoupWebsocketConnection * conn, gpointer data)
{
  g_ptr_array_add (data, g_object_ref (conn));
}

GST_START_TEST (test_client_mode)
{
  Fixture *f = fixture_new (NULL, TRUE);
  SoupServer *server = soup_server_new (NULL, NULL);
  GPtrArray *conns = g_ptr_array_new_with_free_func (g_object_unref);
  SoupWebsocketConnection *conn;
  GByteArray *sent = g_byte_array_new (), *got;
  GstSample *sample;
  g_autofree gchar *uri = NULL;
  GSList *uris;
  guint i;

  soup_server_add_websocket_handler (server, NULL, NULL, NULL, server_ws_cb,
      conns, NULL);
  fail_unless (soup_server_listen_local (server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY, NULL));
  uris = soup_server_get_uris (server);
  uri = g_strdup_printf ("ws://127.0.0.1:%d/?rate=48000",
      g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_object_set (f->src, "uri", uri, "latency", RELAXED_LATENCY_MS, NULL);
  fixture_set_state (f, GST_STATE_PLAYING);
  fail_unless (WS_WAIT_UNTIL (conns->len == 1
          && ws_test_num_clients (f->src) == 1, 5000));
  conn = g_ptr_array_index (conns, 0);
  for (i = 0; i < 20; i++)
    send_pattern (conn, i, MSG_SIZE + 2, sent);
  fail_unless (WS_WAIT_UNTIL (fixture_total (f) == sent->len, 5000));
  got = fixture_data (f, 4);
  assert_bytes_equal (got, sent->data, sent->len);
  /* The query is for the remote server: client mode uses the caps. */
  sample = fixture_sample (f, 0);
  assert_caps (sample, "F32LE", 44100, 1);
  gst_sample_unref (sample);

  /* An oversized message: 1009 (masked, as from a client), and the element
   * connects again by itself. */
  send_pattern (conn, 99, 65537, NULL);
  fail_unless_equals_int (wait_closed_by_peer (conn),
      SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  fail_unless (WS_WAIT_UNTIL (conns->len == 2
          && ws_test_num_clients (f->src) == 1, 5000));
  conn = g_ptr_array_index (conns, 1);

  set_null_serving_clients (f->pipeline);
  fail_unless_equals_int (wait_closed_by_peer (conn),
      SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_ptr_array_unref (conns);
  g_byte_array_unref (got);
  g_byte_array_unref (sent);
  soup_server_disconnect (server);
  g_object_unref (server);
  fixture_free (f);
}

GST_END_TEST;

static Suite *
websocketsrc_suite (void)
{
  Suite *s = suite_create ("websocketsrc");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_port_zero_and_latency_query);
  tcase_add_test (tc, test_roundtrip_byte_exact);
  tcase_add_test (tc, test_odd_text_and_oversize_messages);
  tcase_add_test (tc, test_fragmented_oversize_message);
  tcase_add_test (tc, test_fragmented_message_delivered_whole);
  tcase_add_test (tc, test_invalid_utf8_text);
  tcase_add_test (tc, test_unmasked_frame);
  tcase_add_test (tc, test_declared_format);
  tcase_add_test (tc, test_refused_format_costs_only_that_client);
  tcase_add_test (tc, test_port_in_use_is_an_element_error);
  tcase_add_test (tc, test_token_and_origin);
  tcase_add_test (tc, test_newest_talker_takes_over);
  tcase_add_test (tc, test_first_talker_keeps_it);
  tcase_add_test (tc, test_timestamps_from_sample_count);
  tcase_add_test (tc, test_gap_filled_with_silence_then_new_talker);
  tcase_add_test (tc, test_synchronised_sink_gets_everything);
  tcase_add_test (tc, test_paced_for_a_sink_that_does_not_synchronise);
  tcase_add_test (tc, test_paced_drops_what_fell_behind);
  tcase_add_test (tc, test_infers_undeclared_rate);
  tcase_add_test (tc, test_drift_corrected);
  tcase_add_test (tc, test_other_caps_pass_through);
  tcase_add_test (tc, test_queue_bounded_when_downstream_stalls);
  tcase_add_test (tc, test_ready_accepts_and_null_closes_with_1001);
  tcase_add_test (tc, test_state_cycles_leak_nothing);
  tcase_add_test (tc, test_client_mode);
  return s;
}

GST_CHECK_MAIN (websocketsrc);

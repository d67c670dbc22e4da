/* wsaudio — what websocketsrc makes of a client's query and messages
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gstwssrcpayload.c directly, and what the fuzz targets found (their
 * inputs are replayed by the fuzz-replay tests, fuzz/regressions/):
 * - wsquery, "rate=0": gst_audio_info_from_caps() takes encoded audio too
 *   (format ENCODED, no frame size), so a websocketsrc with
 *   caps=audio/mpeg,...,rate=44100 divided by a frame size of 0 on a
 *   client's first message (SIGFPE), and a client's ?rate= turned its caps
 *   into raw audio of format ENCODED;
 * - wsquery, "channels=%0B8": GLib's number parser skips a leading vertical
 *   tab, so that was taken for 8;
 * - wssrc-payload: every chunk whose timestamps came from the sample count
 *   (no drift correction, no clock, or a format it cannot resample), and
 *   every chunk passed through unresampled, leaked its bytes: a reference
 *   too many, as gst_buffer_new_wrapped_bytes() takes one of its own (the
 *   same in websocketsrc for anything but raw audio).
 */
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>

#include "gstwsaudiotiming.h"
#include "gstwssrcpayload.h"
#include "wstest.h"

#define MP2_CAPS "audio/mpeg,mpegversion=1,layer=2,rate=44100,channels=1"

static GstCaps *
declare (const gchar * property, const gchar * query_string)
{
  GstCaps *caps = gst_caps_from_string (property), *out;
  GHashTable *query = soup_form_decode (query_string);

  out = gst_ws_src_declared_caps (caps, query);
  g_hash_table_unref (query);
  gst_caps_unref (caps);
  return out;
}

static void
assert_caps (GstCaps * caps, const gchar * want)
{
  GstCaps *expected = gst_caps_from_string (want);

  fail_unless (caps != NULL);
  fail_unless (gst_caps_is_equal (caps, expected), "got %" GST_PTR_FORMAT,
      caps);
  gst_caps_unref (expected);
  gst_caps_unref (caps);
}

GST_START_TEST (test_declared_raw)
{
  assert_caps (declare ("audio/x-raw,format=F32LE,rate=44100,channels=1,"
          "layout=interleaved", "rate=48000&channels=1&format=F32LE"),
      "audio/x-raw,format=F32LE,rate=48000,channels=1,layout=interleaved");
  assert_caps (declare ("audio/x-raw,format=F32LE,rate=44100,channels=1,"
          "layout=interleaved", "format=S16LE&channels=2&rate=16000"),
      "audio/x-raw,format=S16LE,rate=16000,channels=2,layout=interleaved,"
      "channel-mask=(bitmask)0x3");
  fail_unless (declare ("audio/x-raw,format=F32LE,rate=44100,channels=1,"
          "layout=interleaved", "rate=0") == NULL);
  fail_unless (declare ("audio/x-raw,format=F32LE,rate=44100,channels=1,"
          "layout=interleaved", "channels=9") == NULL);
  fail_unless (declare ("audio/x-raw,format=F32LE,rate=44100,channels=1,"
          "layout=interleaved", "format=U8") == NULL);
  fail_unless (declare ("audio/x-raw,format=F32LE,rate=44100,channels=1,"
          "layout=interleaved", "channels=%0B8") == NULL);
  fail_unless (declare ("audio/x-raw,format=F32LE,rate=44100,channels=1,"
          "layout=interleaved", "rate=+48000") == NULL);
}

GST_END_TEST;

/* Nothing to declare for encoded audio: the caps stay as configured. */
GST_START_TEST (test_declared_encoded)
{
  GstAudioInfo info;
  GstCaps *caps = gst_caps_from_string (MP2_CAPS);

  fail_if (gst_ws_src_raw_audio_info (&info, caps));
  gst_caps_unref (caps);
  assert_caps (declare (MP2_CAPS, "rate=0"), MP2_CAPS);
  assert_caps (declare (MP2_CAPS, "rate=48000&format=F32LE"), MP2_CAPS);
  assert_caps (declare ("application/octet-stream", "rate=0"),
      "application/octet-stream");
}

GST_END_TEST;

static GBytes *
align (GByteArray * carry, guint bpf, const gchar * text)
{
  GBytes *message = g_bytes_new (text, strlen (text));
  GBytes *out = gst_ws_src_align_frames (carry, bpf, message);

  g_bytes_unref (message);
  return out;
}

static void
assert_bytes (GBytes * bytes, const gchar * want)
{
  gsize size;
  const gchar *data = g_bytes_get_data (bytes, &size);

  fail_unless (bytes != NULL);
  fail_unless_equals_int (size, strlen (want));
  fail_unless (memcmp (data, want, size) == 0);
  g_bytes_unref (bytes);
}

GST_START_TEST (test_align_frames)
{
  GByteArray *carry = g_byte_array_new ();

  assert_bytes (align (carry, 4, "abcdefgh"), "abcdefgh");
  fail_unless (align (carry, 4, "ab") == NULL);
  fail_unless (align (carry, 4, "c") == NULL);
  assert_bytes (align (carry, 4, "defghij"), "abcdefgh");
  fail_unless_equals_int (carry->len, 2);
  fail_unless (align (carry, 4, "") == NULL);
  assert_bytes (align (carry, 4, "kl"), "ijkl");
  fail_unless_equals_int (carry->len, 0);
  g_byte_array_unref (carry);
}

GST_END_TEST;

static void
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
pull_all (GstWsAudioTiming * t)
{
  GstBuffer *buf;

  while ((buf = gst_ws_audio_timing_pull (t)) != NULL)
    gst_buffer_unref (buf);
}

/* Pushes @size bytes that arrive (and are handled) at @now; TRUE when they
 * are freed once the output is. */
static gboolean
push_freed (GstWsAudioTiming * t, gsize size, guint64 end_frame,
    GstClockTime now, gboolean more)
{
  static guint8 data[4800];
  gboolean freed = FALSE;
  GBytes *bytes;

  bytes = g_bytes_new_with_free_func (data, size, set_flag, &freed);
  gst_ws_audio_timing_push (t, bytes, now, end_frame, now, 0, more, FALSE);
  g_bytes_unref (bytes);
  pull_all (t);
  return freed;
}

/* Every chunk is freed once its audio is: passed through as it is, or
 * dropped too late. */
GST_START_TEST (test_timing_frees_bytes)
{
  GstWsAudioTiming t;
  GstAudioInfo info;

  /* S24LE: timestamps from the sample count. */
  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_S24LE, 48000, 1, NULL);
  gst_ws_audio_timing_init (&t);
  gst_ws_audio_timing_start (&t, &info, 40 * GST_MSECOND,
      GST_WS_TIMING_CORRECT_DRIFT);
  fail_unless (push_freed (&t, 4800, 1600, 0, FALSE));
  /* Ten seconds late, with more behind it: dropped. */
  fail_unless (push_freed (&t, 4800, 3200, 10 * GST_SECOND, TRUE));
  fail_unless (t.stats.late > 0);
  gst_ws_audio_timing_clear (&t);

  /* F32LE with drift correction: the first chunk passes through. */
  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_F32LE, 48000, 1, NULL);
  gst_ws_audio_timing_init (&t);
  gst_ws_audio_timing_start (&t, &info, 40 * GST_MSECOND,
      GST_WS_TIMING_CORRECT_DRIFT);
  fail_unless (push_freed (&t, 512, 128, 0, FALSE));
  gst_ws_audio_timing_clear (&t);
}

GST_END_TEST;

static guint
num_clients (GstElement * src)
{
  guint n;

  g_object_get (src, "num-clients", &n, NULL);
  return n;
}

static gsize
received (GstElement * sink, GByteArray * data, GstCaps ** caps)
{
  GstSample *sample;

  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstMapInfo map;

    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    g_byte_array_append (data, map.data, map.size);
    gst_buffer_unmap (buf, &map);
    gst_caps_replace (caps, gst_sample_get_caps (sample));
    gst_sample_unref (sample);
  }
  return data->len;
}

/* The element with encoded caps passes a client's bytes through as they
 * come, whatever it declares. */
GST_START_TEST (test_encoded_caps_element)
{
  GstElement *pipeline, *src, *sink;
  SoupWebsocketConnection *conn;
  GByteArray *data = g_byte_array_new ();
  GstCaps *caps = NULL, *expected = gst_caps_from_string (MP2_CAPS);
  guint8 bytes[108];
  guint status = 0, i;

  pipeline = gst_parse_launch ("websocketsrc name=src port=0 caps=\""
      MP2_CAPS "\" ! appsink name=sink sync=false", NULL);
  fail_unless (GST_IS_PIPELINE (pipeline));
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  conn = ws_test_connect (ws_test_port (src), "/?rate=48000", NULL, &status);
  fail_unless (conn != NULL, "refused with HTTP %u", status);
  fail_unless (WS_WAIT_UNTIL (num_clients (src) == 1, 5000));
  for (i = 0; i < sizeof (bytes); i++)
    bytes[i] = i * 7;
  soup_websocket_connection_send_binary (conn, bytes, 7);
  soup_websocket_connection_send_binary (conn, bytes + 7, 100);
  soup_websocket_connection_send_binary (conn, bytes + 107, 1);
  fail_unless (WS_WAIT_UNTIL (received (sink, data, &caps) >= sizeof (bytes),
          5000));
  fail_unless_equals_int (data->len, sizeof (bytes));
  fail_unless (memcmp (data->data, bytes, sizeof (bytes)) == 0);
  fail_unless (gst_caps_is_equal (caps, expected), "got %" GST_PTR_FORMAT,
      caps);

  soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  WS_WAIT_UNTIL (soup_websocket_connection_get_state (conn) ==
      SOUP_WEBSOCKET_STATE_CLOSED, 5000);
  g_object_unref (conn);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_caps_unref (caps);
  gst_caps_unref (expected);
  g_byte_array_unref (data);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static Suite *
wssrcpayload_suite (void)
{
  Suite *s = suite_create ("wssrcpayload");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_declared_raw);
  tcase_add_test (tc, test_declared_encoded);
  tcase_add_test (tc, test_align_frames);
  tcase_add_test (tc, test_timing_frees_bytes);
  tcase_add_test (tc, test_encoded_caps_element);
  return s;
}

GST_CHECK_MAIN (wssrcpayload);

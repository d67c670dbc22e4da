/* wsaudio — websocketsink <-> websocketsrc round trips
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The two elements against each other, each in server and in client mode,
 * and the speaker stream of the contract (MP2 in MPEG-TS) decoded back.
 */
#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>

#include "tone.h"
#include "wstest.h"

static GstElement *
start (const gchar * desc)
{
  GstElement *pipeline = gst_parse_launch (desc, NULL);

  fail_unless (pipeline != NULL, "could not parse %s", desc);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  return pipeline;
}

static GstElement *
by_name (GstElement * pipeline, const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);

  gst_object_unref (e);         /* the pipeline keeps it alive */
  return e;
}

static void
stop (GstElement * pipeline)
{
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

static guint
clients (GstElement * element)
{
  guint n;

  g_object_get (element, "num-clients", &n, NULL);
  return n;
}

/* Pulls buffers until @want bytes arrived; returns them concatenated. */
static GByteArray *
pull_bytes (GstElement * appsink, gsize want)
{
  GByteArray *out = g_byte_array_new ();

  while (out->len < want) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (appsink),
        5 * GST_SECOND * ws_test_timeout_multiplier ());
    GstMapInfo map;

    if (sample == NULL)
      break;
    gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ);
    g_byte_array_append (out, map.data, map.size);
    gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
    gst_sample_unref (sample);
  }
  return out;
}

static GByteArray *
push_pattern (GstElement * appsrc, guint count, gsize size)
{
  GByteArray *sent = g_byte_array_new ();
  guint i;
  gsize j;

  for (i = 0; i < count; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
    GstMapInfo map;

    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    for (j = 0; j < size; j++)
      map.data[j] = (guint8) (i * 13 + j * 3);
    g_byte_array_append (sent, map.data, size);
    gst_buffer_unmap (buf, &map);
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (appsrc),
            buf), GST_FLOW_OK);
  }
  return sent;
}

GST_START_TEST (test_sink_server_to_src_client)
{
  GstElement *server, *client;
  g_autofree gchar *desc = NULL;
  g_autoptr (GByteArray) sent = NULL, got = NULL;
  guint port;

  server = start ("appsrc name=in format=time caps=application/x-test ! "
      "websocketsink name=ws port=0");
  port = ws_test_port (by_name (server, "ws"));
  desc = g_strdup_printf ("websocketsrc uri=ws://127.0.0.1:%u/ "
      "caps=application/x-test ! appsink name=out sync=false", port);
  client = start (desc);
  fail_unless (WS_WAIT_UNTIL (clients (by_name (server, "ws")) == 1, 5000));
  sent = push_pattern (by_name (server, "in"), 50, 1316);
  got = pull_bytes (by_name (client, "out"), sent->len);
  fail_unless_equals_int (got->len, sent->len);
  fail_unless (memcmp (got->data, sent->data, sent->len) == 0);
  stop (client);
  stop (server);
}

GST_END_TEST;

GST_START_TEST (test_sink_client_to_src_server)
{
  GstElement *server, *client;
  g_autofree gchar *desc = NULL;
  g_autoptr (GByteArray) sent = NULL, got = NULL;
  guint port;

  /* Byte for byte: pushed as it arrives (no pace), with a jitter buffer
   * that a slow run (valgrind) cannot overrun, so no silence is filled. */
  server = start ("websocketsrc name=ws port=0 pace=false latency=10000 ! "
      "appsink name=out sync=false");
  port = ws_test_port (by_name (server, "ws"));
  desc = g_strdup_printf ("appsrc name=in format=time "
      "caps=audio/x-raw,format=F32LE,rate=44100,channels=1,layout=interleaved"
      " ! websocketsink name=ws uri=ws://127.0.0.1:%u/", port);
  client = start (desc);
  /* The server counts the client once it sent its 101; the sink drops what
   * it renders until it has read that 101 itself. */
  fail_unless (WS_WAIT_UNTIL (clients (by_name (server, "ws")) == 1, 5000));
  fail_unless (WS_WAIT_UNTIL (clients (by_name (client, "ws")) == 1, 5000));
  sent = push_pattern (by_name (client, "in"), 40, 512);
  got = pull_bytes (by_name (server, "out"), sent->len);
  fail_unless_equals_int (got->len, sent->len);
  fail_unless (memcmp (got->data, sent->data, sent->len) == 0);
  stop (client);
  stop (server);
}

GST_END_TEST;

/* The speaker stream of the contract, decoded back by a listener that is
 * itself a websocketsrc in client mode. */
GST_START_TEST (test_mp2_transport_stream_tone)
{
  GstElement *server, *client;
  g_autofree gchar *desc = NULL;
  g_autoptr (GByteArray) pcm = NULL;
  const gfloat *samples;
  gsize n, skip = 44100 / 4;
  gdouble freq, rms;
  guint port;

  server = start ("audiotestsrc is-live=true freq=1000 volume=0.5 ! "
      "audioconvert ! audio/x-raw,rate=44100,channels=1 ! "
      "twolamemp2enc bitrate=128 ! mpegaudioparse ! mpegtsmux ! "
      "websocketsink name=ws port=0");
  port = ws_test_port (by_name (server, "ws"));
  desc = g_strdup_printf ("websocketsrc uri=ws://127.0.0.1:%u/ "
      "caps=video/mpegts,systemstream=true,packetsize=188 ! tsdemux ! "
      "mpegaudioparse ! mpg123audiodec ! audioconvert ! "
      "audio/x-raw,format=F32LE,channels=1 ! appsink name=out sync=false",
      port);
  client = start (desc);
  /* A quarter second to settle, then one second measured. */
  pcm = pull_bytes (by_name (client, "out"), (skip + 44100) * 4);
  fail_unless (pcm->len / 4 >= skip + 44100, "only %u bytes decoded",
      pcm->len);
  n = pcm->len / 4 - skip;
  samples = (const gfloat *) pcm->data + skip;
  freq = tone_frequency (samples, n, 44100);
  rms = tone_rms (samples, n);
  GST_INFO ("decoded %.1f Hz, RMS %.3f", freq, rms);
  fail_unless (fabs (freq - 1000) < 20, "decoded %.1f Hz", freq);
  fail_unless (rms > 0.2, "RMS %.3f: silent", rms);
  stop (client);
  stop (server);
}

GST_END_TEST;

static Suite *
roundtrip_suite (void)
{
  Suite *s = suite_create ("roundtrip");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_sink_server_to_src_client);
  tcase_add_test (tc, test_sink_client_to_src_server);
  tcase_add_test (tc, test_mp2_transport_stream_tone);
  return s;
}

GST_CHECK_MAIN (roundtrip);

/* wsaudio — fault tests: clients that stop half way
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A client that connects and never completes its upgrade (silent, or half
 * a request), and one that stops in the middle of a frame after it, are
 * closed after handshake-timeout; their slot (max-clients, num-clients)
 * and descriptors are free again. A talker that merely pauses between
 * messages is left alone.
 */
#include <string.h>
#include <unistd.h>
#include <gst/check/gstcheck.h>

#include "fault-util.h"
#include "wstest.h"

#define TIMEOUT_S 1
/* Reads give up after this: well past the handshake timeout. */
#define READ_MS 4000

#define SINK FAULT_TONE_SINK " max-clients=1 handshake-timeout=1"
#define SRC "websocketsrc name=ws host=127.0.0.1 port=0 handshake-timeout=1 " \
  "! fakesink"

/* Closed by the server after about the timeout; returns after how long. */
static gint64
closed_after_ms (gint fd, gint64 since)
{
  fail_unless (fault_wait_closed (fd), "not closed within %u ms", READ_MS);
  return (g_get_monotonic_time () - since) / 1000;
}

/* Every client has gone: its slot and its descriptors are free again and
 * nothing was posted as an error. Then stops @p. */
static void
released_and_stop (FaultPipeline * p, guint fds_before)
{
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p->ws) == 0, 5000));
  fail_unless (WS_WAIT_UNTIL (ws_test_count_fds () <= fds_before, 5000),
      "%u descriptors open, %u before", ws_test_count_fds (), fds_before);
  fail_unless_equals_int (g_atomic_int_get (&p->errors), 0);
  fault_pipeline_stop (p);
}

GST_START_TEST (test_handshake_never_completed)
{
  static const gchar half[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpg";
  FaultPipeline p;
  gint silent, partial, good;
  guint fds_before;
  gint64 start, t_silent, t_partial;

  fault_pipeline_start (&p, SINK);
  fds_before = ws_test_count_fds ();
  start = g_get_monotonic_time ();
  silent = fault_connect (p.port, READ_MS);
  partial = fault_connect (p.port, READ_MS);
  fail_unless (silent >= 0 && partial >= 0);
  fail_unless (fault_send (partial, half, strlen (half)));

  /* Meanwhile a real client takes the only slot and is served. */
  good = fault_connect (p.port, READ_MS);
  fail_unless (fault_upgrade (good));
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p.ws) == 1, 5000));

  t_silent = closed_after_ms (silent, start);
  t_partial = closed_after_ms (partial, start);
  g_printerr ("handshake timeout %u s: silent client closed after %"
      G_GINT64_FORMAT " ms, half a request after %" G_GINT64_FORMAT " ms\n",
      TIMEOUT_S, t_silent, t_partial);
  fail_unless (t_silent >= TIMEOUT_S * 1000 - 50
      && t_silent <= TIMEOUT_S * 1000 + 1500);
  fail_unless (t_partial >= TIMEOUT_S * 1000 - 50
      && t_partial <= TIMEOUT_S * 1000 + 1500);
  close (silent);
  close (partial);

  /* The upgraded client is not subject to the handshake timeout. */
  {
    gboolean closed;

    fault_drain (good, &closed);
    fail_if (closed, "the upgraded client was closed");
  }
  fail_unless_equals_int (ws_test_num_clients (p.ws), 1);
  close (good);
  released_and_stop (&p, fds_before);
}

GST_END_TEST;

/* Sends a header and 10 of the 100 bytes the frame announces, then
 * stops: the server must close with 1008 about the timeout later. */
static void
stop_mid_frame (gint fd, const gchar * who)
{
  guint8 payload[100] = { 0 };
  gint64 start = g_get_monotonic_time ();
  gint code;

  fail_unless (fault_send_frame_full (fd, 0x82, TRUE, sizeof payload,
          payload, 10));
  code = fault_read_close (fd);
  g_printerr ("%s stuck mid-frame closed with %d after %" G_GINT64_FORMAT
      " ms\n", who, code, (g_get_monotonic_time () - start) / 1000);
  fail_unless_equals_int (code, 1008);
  fail_unless ((g_get_monotonic_time () - start) / 1000 <=
      TIMEOUT_S * 1000 + 1500);
}

GST_START_TEST (test_sink_client_stops_mid_frame)
{
  FaultPipeline p;
  gint stuck, next;
  guint fds_before;

  fault_pipeline_start (&p, SINK);
  fds_before = ws_test_count_fds ();
  stuck = fault_connect (p.port, READ_MS);
  fail_unless (fault_upgrade (stuck));
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p.ws) == 1, 5000));

  /* max-clients=1: the slot is taken. */
  next = fault_connect (p.port, READ_MS);
  fail_unless (fault_send (next, FAULT_REQUEST, strlen (FAULT_REQUEST)));
  fail_unless_equals_int (fault_read_status (next), 503);
  close (next);

  stop_mid_frame (stuck, "sink: client");
  close (stuck);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p.ws) == 0, 5000));

  /* The slot is free again. */
  next = fault_connect (p.port, READ_MS);
  fail_unless (fault_upgrade (next));
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p.ws) == 1, 5000));
  close (next);
  released_and_stop (&p, fds_before);
}

GST_END_TEST;

GST_START_TEST (test_src_talker_stops_mid_frame)
{
  FaultPipeline p;
  gint talker;
  guint fds_before;
  guint8 audio[512] = { 0 };

  fault_pipeline_start (&p, SRC);
  fds_before = ws_test_count_fds ();
  talker = fault_connect (p.port, READ_MS);
  fail_unless (fault_upgrade (talker));
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p.ws) == 1, 5000));

  /* Silence between whole messages, longer than the timeout, is fine:
   * no close frame comes while waiting past it. */
  fail_unless (fault_send_frame (talker, 0x82, audio, sizeof audio));
  fail_unless (WS_WAIT_UNTIL (ws_test_bytes_received (p.ws) == sizeof audio,
          5000));
  fault_set_read_timeout (talker, 2 * TIMEOUT_S * 1000);
  fail_unless_equals_int (fault_read_close (talker), -1);
  fault_set_read_timeout (talker, READ_MS);
  fail_unless (fault_send_frame (talker, 0x82, audio, sizeof audio));
  fail_unless (WS_WAIT_UNTIL (ws_test_bytes_received (p.ws) ==
          2 * sizeof audio, 5000));
  fail_unless_equals_int (ws_test_num_clients (p.ws), 1);

  /* A message started and not finished is not. */
  stop_mid_frame (talker, "src: talker");
  close (talker);
  released_and_stop (&p, fds_before);
}

GST_END_TEST;

/* wss://: the TLS handshake counts as part of the upgrade, and a client
 * upgraded over TLS is not timed out later (its socket is found under
 * libsoup's and the TLS wrappers). */
GST_START_TEST (test_tls_handshake_timeout)
{
  g_autofree gchar *cert = g_build_filename (g_getenv ("WSAUDIO_TEST_DATA"),
      "test-cert.pem", NULL);
  g_autofree gchar *key = g_build_filename (g_getenv ("WSAUDIO_TEST_DATA"),
      "test-key.pem", NULL);
  g_autofree gchar *desc = g_strdup_printf (FAULT_TONE_SINK
      " handshake-timeout=1 tls-certificate=%s tls-private-key=%s", cert, key);
  FaultPipeline p;
  WsTestSink rx;
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  gint silent;
  guint status = 0, got;
  gint64 start;

  fault_pipeline_start (&p, desc);
  start = g_get_monotonic_time ();
  silent = fault_connect (p.port, READ_MS);
  fail_unless (silent >= 0);
  conn = ws_test_connect_tls (p.port, "/", &status);
  fail_unless (conn != NULL, "wss:// refused with %u", status);
  soup_websocket_connection_set_max_incoming_payload_size (conn, 1 << 20);
  ws_test_sink_attach (&rx, conn);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p.ws) == 1, 5000));

  /* No TLS ClientHello: closed like a silent plain client. */
  fail_unless (fault_wait_closed (silent));
  g_printerr ("TLS: silent client closed after %" G_GINT64_FORMAT " ms\n",
      (g_get_monotonic_time () - start) / 1000);
  close (silent);
  /* Twice the timeout later, the upgraded client still streams. */
  got = rx.messages->len;
  fail_if (WS_WAIT_UNTIL (rx.closed, 2 * TIMEOUT_S * 1000),
      "the wss:// client was closed with %u", rx.close_code);
  fail_unless (rx.messages->len > got);
  fail_unless_equals_int (ws_test_num_clients (p.ws), 1);
  ws_test_sink_clear (&rx);
  fail_unless_equals_int (g_atomic_int_get (&p.errors), 0);
  fault_pipeline_stop (&p);
}

GST_END_TEST;

static Suite *
slow_clients_suite (void)
{
  Suite *s = suite_create ("fault-slow-clients");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_handshake_never_completed);
  tcase_add_test (tc, test_sink_client_stops_mid_frame);
  tcase_add_test (tc, test_src_talker_stops_mid_frame);
  tcase_add_test (tc, test_tls_handshake_timeout);
  return s;
}

GST_CHECK_MAIN (slow_clients);

/* wsaudio - tests: on-demand pipelines and restarts that keep WebSocket
 * clients, with a real websocketsink and a real libsoup client
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>

#include "launcher-test-util.h"
#include "report.h"
#include "wsa-test-client.h"

#define TIMEOUT 5000
#define LIVE_WS "[pipeline]\n" \
  "launch = audiotestsrc is-live=true samplesperbuffer=441 name=src ! " \
  "audio/x-raw,format=S16LE,rate=44100,channels=1 ! " \
  "websocketsink name=ws host=127.0.0.1 port=0\n" \
  "restart-delay = 50ms\n"
#define ON_DEMAND LIVE_WS "on-demand = ws\nidle-timeout = 300ms\n"

static guint
ws_port (WsaSupervisor * sup)
{
  g_autoptr (GstElement) ws = launcher_test_get (sup, "ws");
  gint port = 0;

  WSA_TEST_WAIT_UNTIL ((g_object_get (ws, "current-port", &port, NULL),
          port > 0), TIMEOUT);
  fail_unless (port > 0, "websocketsink did not listen");
  return (guint) port;
}

static guint
ws_clients (WsaSupervisor * sup)
{
  g_autoptr (GstElement) ws = launcher_test_get (sup, "ws");
  guint clients = 0;

  g_object_get (ws, "num-clients", &clients, NULL);
  return clients;
}

static WsaTestClient *
connect_client (guint port)
{
  g_autoptr (GError) error = NULL;
  WsaTestClient *client = wsa_test_client_connect (port, "/", &error);

  fail_unless (client != NULL, "%s", error ? error->message : "");
  return client;
}

static gint64
elapsed_ms (gint64 since)
{
  return (g_get_monotonic_time () - since) / 1000;
}

static void
check_factory (void)
{
  g_autoptr (GstElementFactory) factory =
      gst_element_factory_find ("websocketsink");

  fail_unless (factory != NULL, "websocketsink is not available");
}

GST_START_TEST (test_on_demand_cycle)
{
  StateRecorder rec = { 0 };
  g_autoptr (WsaSupervisor) sup = NULL;
  g_autoptr (WsaTestClient) client = NULL;
  g_autoptr (WsaTestClient) again = NULL;
  g_autoptr (GstElement) src = NULL;
  guint port, messages;
  gint64 left_at;

  check_factory ();
  sup = launcher_test_supervisor ("live", ON_DEMAND, &rec);
  src = launcher_test_get (sup, "src");
  wsa_supervisor_start (sup);

  /* Nobody listening: READY, the server up, nothing captured. */
  fail_unless (WAIT_STATE (sup, WSA_STATE_WAITING, TIMEOUT));
  port = ws_port (sup);
  fail_unless_equals_int (GST_STATE (wsa_supervisor_get_pipeline (sup)),
      GST_STATE_READY);
  fail_unless_equals_int (GST_STATE (src), GST_STATE_READY);

  /* A client: PLAYING, and audio reaches it. */
  client = connect_client (port);
  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, TIMEOUT));
  fail_unless_equals_string (wsa_supervisor_get_reason (sup),
      "client connected");
  fail_unless (WSA_TEST_WAIT_UNTIL (client->messages >= 5, TIMEOUT));
  fail_unless (client->bytes >= 5 * 2);
  fail_unless_equals_int (wsa_supervisor_get_clients (sup), 1);

  /* It leaves: READY again once idle-timeout has passed, not before. */
  wsa_test_client_close (client);
  left_at = g_get_monotonic_time ();
  fail_unless (WAIT_STATE (sup, WSA_STATE_WAITING, TIMEOUT));
  fail_unless (elapsed_ms (left_at) >= 290, "idle after %" G_GINT64_FORMAT
      " ms", elapsed_ms (left_at));
  fail_unless_equals_string (wsa_supervisor_get_reason (sup),
      "no client for 300ms");
  fail_unless_equals_int (GST_STATE (src), GST_STATE_READY);
  fail_unless_equals_int (ws_port (sup), port);

  /* And comes back. */
  again = connect_client (port);
  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, TIMEOUT));
  messages = again->messages;
  fail_unless (WSA_TEST_WAIT_UNTIL (again->messages >= messages + 5, TIMEOUT));
  fail_unless_equals_int (wsa_supervisor_get_restarts (sup), 0);
  fail_unless_equals_int (state_recorder_count (&rec, WSA_STATE_WAITING), 2);

  /* Stopping closes the clients with 1001 "going away". */
  wsa_supervisor_stop (sup, "test over");
  fail_unless (WSA_TEST_WAIT_UNTIL (again->closed, TIMEOUT));
  fail_unless_equals_int (again->close_code, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  state_recorder_clear (&rec);
}

GST_END_TEST;

/* A client back within idle-timeout keeps the pipeline playing. */
GST_START_TEST (test_on_demand_quick_return)
{
  StateRecorder rec = { 0 };
  g_autoptr (WsaSupervisor) sup = NULL;
  g_autoptr (WsaTestClient) client = NULL;
  g_autoptr (WsaTestClient) again = NULL;
  guint port;

  check_factory ();
  sup = launcher_test_supervisor ("live", ON_DEMAND, &rec);
  wsa_supervisor_start (sup);
  fail_unless (WAIT_STATE (sup, WSA_STATE_WAITING, TIMEOUT));
  port = ws_port (sup);
  client = connect_client (port);
  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, TIMEOUT));
  wsa_test_client_close (client);
  fail_unless (WSA_TEST_WAIT_UNTIL (ws_clients (sup) == 0, TIMEOUT));
  again = connect_client (port);
  fail_unless (WSA_TEST_WAIT_UNTIL (ws_clients (sup) == 1, TIMEOUT));
  /* Twice the idle timeout later it still plays. */
  fail_if (WSA_TEST_WAIT_UNTIL (wsa_supervisor_get_state (sup)
          != WSA_STATE_PLAYING, 600));
  fail_unless_equals_int (state_recorder_count (&rec, WSA_STATE_WAITING), 1);
  wsa_supervisor_stop (sup, "test over");
  state_recorder_clear (&rec);
}

GST_END_TEST;

/* An error elsewhere in the pipeline: clients hear a gap, not a close. */
GST_START_TEST (test_restart_keeps_clients)
{
  g_autoptr (WsaSupervisor) sup = NULL;
  g_autoptr (WsaTestClient) client = NULL;
  g_autoptr (GstElement) ws = NULL;
  g_autoptr (GstElement) src = NULL;
  guint messages;

  check_factory ();
  sup = launcher_test_supervisor ("live", LIVE_WS, NULL);
  ws = launcher_test_get (sup, "ws");
  src = launcher_test_get (sup, "src");
  wsa_supervisor_start (sup);
  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, TIMEOUT));
  client = connect_client (ws_port (sup));
  fail_unless (WSA_TEST_WAIT_UNTIL (client->messages >= 3, TIMEOUT));

  launcher_test_post_error (sup, "src");
  fail_unless (WAIT_STATE (sup, WSA_STATE_RESTARTING, TIMEOUT));
  fail_unless_equals_int (GST_STATE (ws), GST_STATE_READY);
  fail_unless_equals_int (GST_STATE (src), GST_STATE_NULL);
  fail_unless (WAIT_STATE (sup, WSA_STATE_PLAYING, TIMEOUT));
  messages = client->messages;
  fail_unless (WSA_TEST_WAIT_UNTIL (client->messages >= messages + 5, TIMEOUT));
  fail_if (client->closed);
  fail_unless_equals_int (wsa_supervisor_get_restarts (sup), 1);
  fail_unless_equals_int (ws_clients (sup), 1);
  wsa_supervisor_stop (sup, "test over");
}

GST_END_TEST;

static guint64
metric_value (const gchar * metrics, const gchar * series)
{
  const gchar *line = strstr (metrics, series);

  fail_unless (line != NULL, "no %s in:\n%s", series, metrics);
  return g_ascii_strtoull (line + strlen (series), NULL, 10);
}

GST_START_TEST (test_websocket_metrics)
{
  g_autoptr (WsaSupervisor) sup = NULL;
  g_autoptr (WsaTestClient) client = NULL;
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  g_autoptr (GstElement) ws = NULL;
  g_autofree gchar *metrics = NULL;
  g_autofree gchar *health = NULL;
  guint64 before = 0, after = 0, sent;
  gboolean healthy;

  check_factory ();
  sup = launcher_test_supervisor ("live", ON_DEMAND, NULL);
  ws = launcher_test_get (sup, "ws");
  g_ptr_array_add (all, sup);
  wsa_supervisor_start (sup);
  fail_unless (WAIT_STATE (sup, WSA_STATE_WAITING, TIMEOUT));
  client = connect_client (ws_port (sup));
  fail_unless (WSA_TEST_WAIT_UNTIL (client->messages >= 3, TIMEOUT));

  /* The counter moves while audio flows: read it on both sides. */
  g_object_get (ws, "bytes-served", &before, NULL);
  metrics = wsa_report_metrics (all, NULL);
  health = wsa_report_health (all, NULL, &healthy);
  g_object_get (ws, "bytes-served", &after, NULL);
  sent = metric_value (metrics, "wsaudio_websocket_sent_bytes_total"
      "{pipeline=\"live\",element=\"ws\"} ");
  fail_unless (before > 0);
  fail_unless (before <= sent && sent <= after, "%" G_GUINT64_FORMAT
      " not in [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "]", sent, before,
      after);
  fail_unless_equals_uint64 (metric_value (metrics,
          "wsaudio_websocket_clients{pipeline=\"live\",element=\"ws\"} "), 1);
  fail_unless_equals_uint64 (metric_value (metrics,
          "wsaudio_websocket_received_bytes_total{pipeline=\"live\","
          "element=\"ws\"} "), 0);
  fail_unless (healthy);
  fail_unless (strstr (health, "\"clients\":1,") != NULL, "%s", health);
  wsa_supervisor_stop (sup, "test over");
}

GST_END_TEST;

static Suite *
on_demand_suite (void)
{
  Suite *s = suite_create ("on-demand");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, launcher_test_setup_tmpdir,
      launcher_test_teardown_tmpdir);
  tcase_add_test (tc, test_on_demand_cycle);
  tcase_add_test (tc, test_on_demand_quick_return);
  tcase_add_test (tc, test_restart_keeps_clients);
  tcase_add_test (tc, test_websocket_metrics);
  return s;
}

GST_CHECK_MAIN (on_demand);

/* wsaudio - tests: --http /healthz and /metrics on the real binary
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>
#include <signal.h>

#include "launcher-process.h"
#include "launcher-test-util.h"

#define TIMEOUT 5000
#define LISTENING "wsaudio: http: listening on "

typedef struct
{
  gboolean done;
  guint status;
  gchar *body;
} Response;

static void
on_response (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Response *response = user_data;
  SoupSession *session = SOUP_SESSION (source);
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (session, result, NULL);
  SoupMessage *msg = soup_session_get_async_result_message (session, result);

  response->status = soup_message_get_status (msg);
  response->body = body ? g_strndup (g_bytes_get_data (body, NULL),
      g_bytes_get_size (body)) : NULL;
  response->done = TRUE;
}

/* Sends a request to @base (as logged) + @path; returns the status. */
static guint
request (const gchar * method, const gchar * base, const gchar * path,
    gchar ** body)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *uri = g_strdup_printf ("%s%s", base, path + 1);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  Response response = { 0 };

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
      on_response, &response);
  fail_unless (WSA_TEST_WAIT_UNTIL (response.done, TIMEOUT));
  *body = response.body;
  return response.status;
}

/* The base URI from the "listening on" line, e.g. http://127.0.0.1:4242/ */
static gchar *
wait_base_uri (LauncherProcess * proc)
{
  gint line = launcher_process_wait_line (proc, LISTENING, 0, TIMEOUT);
  const gchar *text;

  fail_unless (line >= 0);
  text = strstr (launcher_process_line (proc, line), LISTENING);
  return g_strdup (text + strlen (LISTENING));
}

static void
assert_contains (const gchar * text, const gchar * needle)
{
  fail_unless (strstr (text, needle) != NULL, "\"%s\" not in:\n%s", needle,
      text);
}

GST_START_TEST (test_healthz_and_metrics)
{
  g_autofree gchar *good = launcher_test_write ("good.pipeline",
      "[pipeline]\nlaunch = audiotestsrc is-live=true ! fakesink\n");
  g_autoptr (LauncherProcess) proc = launcher_process_spawn ("--http",
      "127.0.0.1:0", "run", launcher_test_tmpdir (), NULL);
  g_autofree gchar *base = wait_base_uri (proc);
  g_autofree gchar *body = NULL;
  g_autofree gchar *expected = NULL;
  g_autofree gchar *bad = NULL;
  gint status;

  fail_unless (g_str_has_prefix (base, "http://127.0.0.1:"), "%s", base);
  fail_if (g_str_has_prefix (base, "http://127.0.0.1:0/"));
  launcher_process_expect_line (proc, "pipeline=good state=playing", 0, TIMEOUT);
  fail_unless_equals_int (request ("GET", base, "/healthz", &body), 200);
  expected = g_strdup_printf ("{\"status\":\"ok\",\"pipelines\":["
      "{\"name\":\"good\",\"file\":\"%s\",\"state\":\"playing\","
      "\"restarts\":0,\"clients\":null,\"reason\":\"started\"}],"
      "\"processes\":[]}\n", good);
  fail_unless_equals_string (body, expected);
  g_clear_pointer (&body, g_free);

  /* A pipeline that fails for good makes the whole process unhealthy. */
  bad = launcher_test_write ("bad.pipeline", "[pipeline]\n"
      "launch = filesrc location=/nonexistent ! fakesink\nrestart = never\n");
  launcher_process_signal (proc, SIGHUP);
  launcher_process_expect_line (proc, "pipeline=bad state=failed", 0, TIMEOUT);
  fail_unless_equals_int (request ("GET", base, "/healthz", &body), 503);
  assert_contains (body, "{\"status\":\"failing\",\"pipelines\":[");
  assert_contains (body, "{\"name\":\"bad\",");
  assert_contains (body, "\"state\":\"failed\",\"restarts\":0,"
      "\"clients\":null,\"reason\":\"error from filesrc0: Resource not "
      "found.\"}");
  assert_contains (body, "\"name\":\"good\",");
  g_clear_pointer (&body, g_free);

  fail_unless_equals_int (request ("GET", base, "/metrics", &body), 200);
  assert_contains (body, "# TYPE wsaudio_pipeline_state gauge\n");
  assert_contains (body, "wsaudio_pipeline_state{pipeline=\"good\","
      "state=\"playing\"} 1\n");
  assert_contains (body, "wsaudio_pipeline_state{pipeline=\"good\","
      "state=\"restarting\"} 0\n");
  assert_contains (body, "wsaudio_pipeline_state{pipeline=\"bad\","
      "state=\"failed\"} 1\n");
  assert_contains (body, "# TYPE wsaudio_pipeline_restarts_total counter\n");
  assert_contains (body,
      "wsaudio_pipeline_restarts_total{pipeline=\"good\"} 0\n");
  assert_contains (body, "# TYPE wsaudio_websocket_clients gauge\n");
  assert_contains (body,
      "# TYPE wsaudio_websocket_received_bytes_total counter\n");
  g_clear_pointer (&body, g_free);

  fail_unless_equals_int (request ("POST", base, "/healthz", &body), 405);
  g_clear_pointer (&body, g_free);
  fail_unless_equals_int (request ("GET", base, "/nothing", &body), 404);

  launcher_process_signal (proc, SIGTERM);
  fail_unless (launcher_process_wait_exit (proc, 2000, &status));
  fail_unless_equals_int (status, 0);
}

GST_END_TEST;

GST_START_TEST (test_http_port_in_use)
{
  g_autofree gchar *good = launcher_test_write ("good.pipeline",
      "[pipeline]\nlaunch = audiotestsrc is-live=true ! fakesink\n");
  g_autoptr (LauncherProcess) running = launcher_process_spawn ("--http",
      "127.0.0.1:0", "run", good, NULL);
  g_autofree gchar *base = wait_base_uri (running);
  g_autofree gchar *address = NULL;
  g_autofree gchar *out = NULL, *err = NULL;

  /* http://127.0.0.1:PORT/ -> 127.0.0.1:PORT */
  address = g_strndup (base + strlen ("http://"),
      strlen (base) - strlen ("http://") - 1);
  fail_unless_equals_int (launcher_run (&out, &err, "--http", address, "run",
          good, NULL), 70);
  assert_contains (err, "ERROR: --http ");
}

GST_END_TEST;

static Suite *
http_suite (void)
{
  Suite *s = suite_create ("http");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, launcher_test_setup_tmpdir,
      launcher_test_teardown_tmpdir);
  tcase_add_test (tc, test_healthz_and_metrics);
  tcase_add_test (tc, test_http_port_in_use);
  return s;
}

GST_CHECK_MAIN (http);

/* wsaudio — fault tests: a connect storm
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * 5,000 clients connect at once to a streaming websocketsink (in-process,
 * loopback): every one is upgraded and receiving within 5 s, none is lost,
 * and when they leave, the element is back to no clients and the process
 * to the descriptors it had.
 */
#include <gst/check/gstcheck.h>

#include "fault-util.h"
#include "wstest.h"

#define CLIENTS 5000
#define SERVED_MS 5000
/* Each client costs two descriptors here: its own and the server's. */
#define FDS_NEEDED (2 * CLIENTS + 256)

GST_START_TEST (test_connect_storm)
{
  FaultPipeline p;
  FaultStorm *storm;
  guint hard = 0, fds_before, upgraded_ms = 0;
  gint64 start, deadline, now;

  fail_unless (fault_raise_nofile (FDS_NEEDED, &hard),
      "the connect storm needs %u file descriptors, the hard limit "
      "(ulimit -Hn) is %u: raise it", FDS_NEEDED, hard);
  fault_pipeline_start (&p, FAULT_TONE_SINK);
  fds_before = ws_test_count_fds ();

  start = g_get_monotonic_time ();
  deadline = start + 2 * SERVED_MS * 1000;
  storm = fault_storm_new (p.port, CLIENTS);
  while (fault_storm_receiving (storm) + fault_storm_dead (storm) < CLIENTS
      && (now = g_get_monotonic_time ()) < deadline) {
    fault_storm_poll (storm, 20);
    if (upgraded_ms == 0 && fault_storm_upgraded (storm) == CLIENTS)
      upgraded_ms = (g_get_monotonic_time () - start) / 1000;
  }
  now = g_get_monotonic_time ();
  g_printerr ("storm: %u clients, %u upgraded (all in %u ms), %u receiving, "
      "%u lost, after %" G_GINT64_FORMAT " ms\n", CLIENTS,
      fault_storm_upgraded (storm), upgraded_ms,
      fault_storm_receiving (storm), fault_storm_dead (storm),
      (now - start) / 1000);
  fail_unless_equals_int (fault_storm_dead (storm), 0);
  fail_unless_equals_int (fault_storm_receiving (storm), CLIENTS);
  fail_unless ((now - start) / 1000 <= SERVED_MS,
      "all clients served after %" G_GINT64_FORMAT " ms, more than %u",
      (now - start) / 1000, SERVED_MS);
  fail_unless_equals_int (ws_test_num_clients (p.ws), CLIENTS);

  /* They all leave: no slot and no descriptor is left behind. */
  fault_storm_free (storm);
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p.ws) == 0, 10000),
      "%u clients still counted", ws_test_num_clients (p.ws));
  fail_unless (WS_WAIT_UNTIL (ws_test_count_fds () <= fds_before, 5000),
      "%u descriptors open, %u before", ws_test_count_fds (), fds_before);
  fail_unless_equals_int (g_atomic_int_get (&p.errors), 0);
  fault_pipeline_stop (&p);
}

GST_END_TEST;

static Suite *
storm_suite (void)
{
  Suite *s = suite_create ("fault-storm");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_connect_storm);
  return s;
}

GST_CHECK_MAIN (storm);

/* wsaudio — fault tests: the process runs out of file descriptors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * websocketsink runs in this process: the test lowers RLIMIT_NOFILE and
 * opens descriptors until there are none left. New connections are then
 * refused (503, or closed), the connected listener keeps streaming, the
 * server thread does not spin (its CPU time over a window is measured),
 * nothing is posted on the bus; once the descriptors are closed, a new
 * client is served again.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gst/check/gstcheck.h>

#include "fault-util.h"
#include "wstest.h"

#define CLIENTS 20
#define WINDOW_MS 1000
#define MAX_CPU_PERCENT 20.0
#define READ_MS 3000

/* The server's thread (gstwsloop.c names it after the element). */
#define SERVER_THREAD "websocketsink"

GST_START_TEST (test_out_of_descriptors)
{
  FaultPipeline p;
  struct rlimit saved, low;
  g_autoptr (GArray) filler = g_array_new (FALSE, FALSE, sizeof (gint));
  gint clients[CLIENTS], listener, fd, status, refused = 0, reset = 0;
  gint server_stat;
  guint i;
  gint64 ticks;
  gint64 t0, window_us, resume_start;
  gdouble cpu;
  gboolean closed = FALSE;
  gsize got = 0;

  fault_pipeline_start (&p, FAULT_TONE_SINK);
  listener = fault_connect (p.port, READ_MS);
  fail_unless (fault_upgrade (listener));

  server_stat = fault_thread_stat_open (SERVER_THREAD);
  fail_unless (server_stat >= 0, "no thread named " SERVER_THREAD);
  /* Connecting takes no descriptor: the sockets are made beforehand. */
  for (i = 0; i < CLIENTS; i++) {
    clients[i] = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    fail_unless (clients[i] >= 0);
    fault_set_read_timeout (clients[i], READ_MS);
  }
  fail_unless (getrlimit (RLIMIT_NOFILE, &saved) == 0);
  low = saved;
  low.rlim_cur = ws_test_count_fds () + 64;
  fail_unless (setrlimit (RLIMIT_NOFILE, &low) == 0);
  while ((fd = open ("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
    g_array_append_val (filler, fd);
  fail_unless_equals_int (errno, EMFILE);

  /* Out of descriptors: every newcomer is refused, quickly. */
  t0 = g_get_monotonic_time ();
  ticks = fault_thread_stat_ticks (server_stat);
  fail_unless (ticks >= 0);
  for (i = 0; i < CLIENTS; i++) {
    fail_unless (fault_connect_fd (clients[i], p.port));
    fault_send (clients[i], FAULT_REQUEST, strlen (FAULT_REQUEST));
    status = fault_read_status (clients[i]);
    fail_unless (status == 503 || status == 0,
        "client %u: HTTP %d instead of a refusal", i, status);
    refused += status == 503;
    reset += status == 0;
  }
  /* The listener streams on over the window; the server must be idle. */
  WS_WAIT_UNTIL ((got += fault_drain (listener, &closed), closed), WINDOW_MS);
  window_us = g_get_monotonic_time () - t0;
  ticks = fault_thread_stat_ticks (server_stat) - ticks;
  cpu = 100.0 * ticks * G_USEC_PER_SEC / sysconf (_SC_CLK_TCK) / window_us;
  g_printerr ("out of descriptors: %d refused with 503, %d closed; server "
      "thread %.1f %% CPU over %" G_GINT64_FORMAT " ms; listener got %"
      G_GSIZE_FORMAT " bytes\n", refused, reset, cpu, window_us / 1000, got);
  fail_if (closed, "the connected listener was dropped");
  fail_unless (got > 0, "the connected listener got nothing");
  fail_unless (cpu < MAX_CPU_PERCENT, "server thread at %.1f %% CPU", cpu);

  /* Descriptors free again: service resumes. */
  for (i = 0; i < filler->len; i++)
    close (g_array_index (filler, gint, i));
  fail_unless (setrlimit (RLIMIT_NOFILE, &saved) == 0);
  for (i = 0; i < CLIENTS; i++)
    close (clients[i]);
  resume_start = g_get_monotonic_time ();
  fd = fault_connect (p.port, READ_MS);
  fail_unless (fault_upgrade (fd), "not served after descriptors freed up");
  got = 0;
  fail_unless (WS_WAIT_UNTIL ((got += fault_drain (fd, &closed)) > 0, 2000));
  g_printerr ("served again %" G_GINT64_FORMAT " ms after descriptors freed\n",
      (g_get_monotonic_time () - resume_start) / 1000);
  close (fd);
  close (listener);
  close (server_stat);
  fail_unless_equals_int (g_atomic_int_get (&p.errors), 0);
  fault_pipeline_stop (&p);
}

GST_END_TEST;

static Suite *
fd_exhaustion_suite (void)
{
  Suite *s = suite_create ("fault-fd-exhaustion");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_out_of_descriptors);
  return s;
}

GST_CHECK_MAIN (fd_exhaustion);

/* wsaudio - exits when the main loop stops turning
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything wsaudio does happens in the main loop, and a state change that
 * never returns (a GStreamer element deadlocked in its streaming thread, a
 * source blocked opening a device) would freeze all pipelines, the signal
 * handlers and the status server with it.  A heartbeat source in the main
 * context stamps the time every second; a thread of our own checks the
 * stamp and, when it is older than the timeout, writes one line to stderr
 * and ends the process with _exit(), so that whoever runs wsaudio (the
 * container runtime for PID 1, systemd) starts it again.
 */
#include "watchdog.h"

#include <stdio.h>
#include <unistd.h>

#define BEAT_MS 1000

struct _WsaWatchdog
{
  guint timeout_s;
  int exit_status;
  gint64 last_beat;             /* monotonic µs, under lock */
  gboolean stopping;
  GMutex lock;
  GCond cond;
  GThread *thread;
  guint heartbeat;
};

static gboolean
beat (gpointer user_data)
{
  WsaWatchdog *self = user_data;

  g_mutex_lock (&self->lock);
  self->last_beat = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  return G_SOURCE_CONTINUE;
}

static void
bark (WsaWatchdog * self, gint64 silent_us)
{
  fprintf (stderr, "wsaudio: the main loop has been stuck for %" G_GINT64_FORMAT
      " s; exiting with status %d\n", silent_us / G_USEC_PER_SEC,
      self->exit_status);
  fflush (stderr);
  _exit (self->exit_status);
}

static gpointer
watch (gpointer user_data)
{
  WsaWatchdog *self = user_data;
  gint64 now, limit = (gint64) self->timeout_s * G_USEC_PER_SEC;

  g_mutex_lock (&self->lock);
  while (!self->stopping) {
    now = g_get_monotonic_time ();
    if (now - self->last_beat > limit)
      bark (self, now - self->last_beat);
    g_cond_wait_until (&self->cond, &self->lock, now + G_USEC_PER_SEC);
  }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* Starts watching the default main context; 0 disables the watchdog. */
WsaWatchdog *
wsa_watchdog_new (guint timeout_s, int exit_status)
{
  WsaWatchdog *self = g_new0 (WsaWatchdog, 1);

  self->timeout_s = timeout_s;
  self->exit_status = exit_status;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  if (timeout_s == 0)
    return self;
  self->last_beat = g_get_monotonic_time ();
  self->heartbeat = g_timeout_add (BEAT_MS, beat, self);
  self->thread = g_thread_new ("wsa-watchdog", watch, self);
  return self;
}

void
wsa_watchdog_free (WsaWatchdog * self)
{
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  if (self->thread)
    g_thread_join (self->thread);
  g_clear_handle_id (&self->heartbeat, g_source_remove);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

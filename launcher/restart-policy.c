/* wsaudio - restart bookkeeping shared by both supervisors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Counts consecutive failures, schedules the next restart after the backoff
 * delay (backoff.c) and resets the count once a run has lasted
 * restart-max-delay.  The timers run on the main context and hold no
 * reference: the owning supervisor cancels them before it goes away.
 */
#include "restart-policy.h"

#include "backoff.h"
#include "duration.h"

#include <string.h>

void
wsa_restarter_init (WsaRestarter * r, guint delay_ms, guint max_delay_ms,
    WsaRestartFunc restart, WsaHealthyFunc healthy, gpointer user_data)
{
  memset (r, 0, sizeof (*r));
  r->delay_ms = delay_ms;
  r->max_delay_ms = max_delay_ms;
  r->restart = restart;
  r->healthy = healthy;
  r->user_data = user_data;
}

void
wsa_restarter_cancel (WsaRestarter * r)
{
  g_clear_handle_id (&r->restart_source, g_source_remove);
  g_clear_handle_id (&r->healthy_source, g_source_remove);
}

/* A (re)start on request starts the backoff from scratch. */
void
wsa_restarter_reset (WsaRestarter * r)
{
  r->failures = 0;
}

void
wsa_restarter_fail (WsaRestarter * r)
{
  r->failures++;
}

static gboolean
on_healthy (gpointer user_data)
{
  WsaRestarter *r = user_data;

  r->healthy_source = 0;
  r->failures = 0;
  if (r->healthy)
    r->healthy (r->user_data);
  return G_SOURCE_REMOVE;
}

/* A run counts as healthy once it has lasted restart-max-delay. */
void
wsa_restarter_arm_healthy (WsaRestarter * r)
{
  if (r->healthy_source || r->failures == 0)
    return;
  r->healthy_source = g_timeout_add (r->max_delay_ms, on_healthy, r);
}

static gboolean
on_restart (gpointer user_data)
{
  WsaRestarter *r = user_data;
  g_autofree gchar *reason = g_strdup_printf ("restart %u", r->restarts);

  r->restart_source = 0;
  r->restart (r->user_data, reason);
  return G_SOURCE_REMOVE;
}

/* Schedules restart N after the backoff delay for the failures so far;
 * returns the state reason "@why; restart N in DELAY". */
gchar *
wsa_restarter_schedule (WsaRestarter * r, const gchar * why)
{
  g_autofree gchar *delay = NULL;

  r->next_delay_ms = wsa_backoff_delay (r->delay_ms, r->max_delay_ms,
      r->failures);
  r->restarts++;
  delay = wsa_duration_format (r->next_delay_ms);
  r->restart_source = g_timeout_add (r->next_delay_ms, on_restart, r);
  return g_strdup_printf ("%s; restart %u in %s", why, r->restarts, delay);
}

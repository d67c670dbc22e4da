/* wsaudio - restart bookkeeping shared by both supervisors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*WsaRestartFunc) (gpointer user_data, const gchar * reason);
typedef void (*WsaHealthyFunc) (gpointer user_data);

/* Embedded in a supervisor; the fields are read directly, written only by
 * the functions below. */
typedef struct
{
  guint delay_ms;               /* restart-delay: base of the backoff */
  guint max_delay_ms;           /* restart-max-delay: cap, healthy run */
  guint restarts;               /* restarts scheduled since loaded */
  guint failures;               /* consecutive; a healthy run resets them */
  guint next_delay_ms;          /* delay of the last scheduled restart */

  guint restart_source;
  guint healthy_source;
  WsaRestartFunc restart;
  WsaHealthyFunc healthy;       /* may be NULL */
  gpointer user_data;
} WsaRestarter;

void wsa_restarter_init (WsaRestarter * r, guint delay_ms, guint max_delay_ms,
    WsaRestartFunc restart, WsaHealthyFunc healthy, gpointer user_data);
void wsa_restarter_cancel (WsaRestarter * r);
void wsa_restarter_reset (WsaRestarter * r);
void wsa_restarter_fail (WsaRestarter * r);
void wsa_restarter_arm_healthy (WsaRestarter * r);
gchar *wsa_restarter_schedule (WsaRestarter * r, const gchar * why);

G_END_DECLS

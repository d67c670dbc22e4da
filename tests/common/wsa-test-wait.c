/* wsaudio - test helpers: waiting on conditions with a timeout
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "wsa-test-wait.h"

static gboolean
wake_up (gpointer user_data)
{
  gboolean *fired = user_data;

  *fired = TRUE;
  return G_SOURCE_REMOVE;
}

/* One main-context iteration that returns after at most 10 ms. */
void
wsa_test_iterate (void)
{
  GMainContext *context = g_main_context_get_thread_default ();
  GSource *tick = g_timeout_source_new (10);
  gboolean fired = FALSE;

  g_source_set_callback (tick, wake_up, &fired, NULL);
  g_source_attach (tick, context);
  g_main_context_iteration (context, TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);
}

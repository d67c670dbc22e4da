/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwsloop.h"

static gpointer
loop_thread (gpointer data)
{
  GstWsLoop *loop = data;

  g_main_context_push_thread_default (loop->context);
  g_main_loop_run (loop->loop);
  /* Let sources torn down by the last callbacks finish their dispose. */
  while (g_main_context_iteration (loop->context, FALSE));
  g_main_context_pop_thread_default (loop->context);
  return NULL;
}

void
gst_ws_loop_start (GstWsLoop * loop, const gchar * name)
{
  g_return_if_fail (loop->thread == NULL);

  loop->context = g_main_context_new ();
  loop->loop = g_main_loop_new (loop->context, FALSE);
  loop->thread = g_thread_new (name, loop_thread, loop);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
gst_ws_loop_stop (GstWsLoop * loop)
{
  if (loop->thread == NULL)
    return;
  g_main_context_invoke (loop->context, quit_cb, loop->loop);
  g_thread_join (loop->thread);
  loop->thread = NULL;
  g_clear_pointer (&loop->loop, g_main_loop_unref);
  g_clear_pointer (&loop->context, g_main_context_unref);
}

void
gst_ws_loop_invoke (GstWsLoop * loop, GSourceFunc func, gpointer data,
    GDestroyNotify notify)
{
  g_main_context_invoke_full (loop->context, G_PRIORITY_DEFAULT, func, data,
      notify);
}

typedef struct
{
  GstWsLoopFunc func;
  gpointer data;
  gpointer result;
  gboolean done;
  GMutex lock;
  GCond cond;
} Call;

static gboolean
call_cb (gpointer data)
{
  Call *call = data;
  gpointer result = call->func (call->data);

  g_mutex_lock (&call->lock);
  call->result = result;
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func in the loop thread and waits for its result. */
gpointer
gst_ws_loop_call (GstWsLoop * loop, GstWsLoopFunc func, gpointer data)
{
  Call call = { func, data, NULL, FALSE };

  if (g_main_context_is_owner (loop->context))
    return func (data);
  g_mutex_init (&call.lock);
  g_cond_init (&call.cond);
  g_main_context_invoke (loop->context, call_cb, &call);
  g_mutex_lock (&call.lock);
  while (!call.done)
    g_cond_wait (&call.cond, &call.lock);
  g_mutex_unlock (&call.lock);
  g_mutex_clear (&call.lock);
  g_cond_clear (&call.cond);
  return call.result;
}

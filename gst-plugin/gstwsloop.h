/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_LOOP_H__
#define __GST_WS_LOOP_H__

#include <glib.h>

G_BEGIN_DECLS

/* The thread every libsoup object of an element lives in: a private
 * GMainContext driven by a GMainLoop, pushed as the thread-default context so
 * that libsoup attaches its sources there. Other threads only hand work over
 * with gst_ws_loop_invoke() or gst_ws_loop_call(). */
typedef struct
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
} GstWsLoop;

G_GNUC_INTERNAL
void gst_ws_loop_start (GstWsLoop * loop, const gchar * name);

G_GNUC_INTERNAL
void gst_ws_loop_stop (GstWsLoop * loop);

G_GNUC_INTERNAL
void gst_ws_loop_invoke (GstWsLoop * loop, GSourceFunc func, gpointer data,
    GDestroyNotify notify);

typedef gpointer (*GstWsLoopFunc) (gpointer data);

G_GNUC_INTERNAL
gpointer gst_ws_loop_call (GstWsLoop * loop, GstWsLoopFunc func, gpointer data);

G_END_DECLS

#endif /* __GST_WS_LOOP_H__ */

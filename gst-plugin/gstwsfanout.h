/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_FANOUT_H__
#define __GST_WS_FANOUT_H__

#include <gio/gio.h>

G_BEGIN_DECLS

/* The client bookkeeping of websocketsink, apart from the transport (each
 * client is a GstWsPeer) the way multihandlesink is: one list of the frames
 * not yet sent to everyone (each framed once, shared by every client), a
 * position in it per client, sync points, the slow-client policy and the
 * statistics. Everything here runs in the element's server thread. */
typedef struct _GstWsFanout GstWsFanout;

/* A framed message (a GstWsFrame), shared read-only, with its place in the
 * stream. */
typedef struct _GstWsMessage GstWsMessage;

typedef enum
{
  GST_WS_SLOW_CLIENT_SKIP,
  GST_WS_SLOW_CLIENT_DISCONNECT
} GstWsSlowClientPolicy;

typedef struct
{
  /* A client joined or left; @count is the number of clients now. */
  void (*clients_changed) (gpointer user_data, const gchar * peer,
      gboolean connected, guint count);
} GstWsFanoutHooks;

typedef struct
{
  guint64 max_lag_us;           /* oldest unsent frame older than this */
  guint64 max_lag_bytes;        /* or this many bytes unsent (0 = no cap) */
  GstWsSlowClientPolicy policy;
} GstWsFanoutLimits;

/* A binary message of @buffer's bytes: framed (header and payload in one
 * block) with the one copy it takes, so each client's write is one send(). */
G_GNUC_INTERNAL
GstWsMessage *gst_ws_message_new_from_buffer (GstBuffer * buffer);

G_GNUC_INTERNAL
GstWsMessage *gst_ws_message_ref (GstWsMessage * msg);

G_GNUC_INTERNAL
void gst_ws_message_unref (GstWsMessage * msg);

/* The payload (without the frame header). */
G_GNUC_INTERNAL
const guint8 *gst_ws_message_payload (GstWsMessage * msg, gsize * len);

G_GNUC_INTERNAL
GstWsFanout *gst_ws_fanout_new (const GstWsFanoutHooks * hooks,
    gpointer user_data);

G_GNUC_INTERNAL
void gst_ws_fanout_free (GstWsFanout * fanout);

G_GNUC_INTERNAL
void gst_ws_fanout_set_limits (GstWsFanout * fanout,
    const GstWsFanoutLimits * limits);

/* Takes @stream (transfer full). */
G_GNUC_INTERNAL
void gst_ws_fanout_add (GstWsFanout * fanout, GIOStream * stream,
    const gchar * peer);

/* Frames new clients receive first (takes a ref on each message). */
G_GNUC_INTERNAL
void gst_ws_fanout_set_headers (GstWsFanout * fanout, GPtrArray * headers);

/* Queues @msg (transfer full) for every client and writes what it can. */
G_GNUC_INTERNAL
void gst_ws_fanout_push (GstWsFanout * fanout, GstWsMessage * msg);

/* Queues @msg (transfer full) without writing: gst_ws_fanout_flush()
 * then writes everything queued in one pass over the clients. */
G_GNUC_INTERNAL
void gst_ws_fanout_queue (GstWsFanout * fanout, GstWsMessage * msg);

G_GNUC_INTERNAL
void gst_ws_fanout_flush (GstWsFanout * fanout);

/* Sends every client a close frame with @code and drops them all. */
G_GNUC_INTERNAL
void gst_ws_fanout_close_all (GstWsFanout * fanout, gushort code);

G_GNUC_INTERNAL
guint gst_ws_fanout_count (GstWsFanout * fanout);

/* Bytes written to clients since the last call. */
G_GNUC_INTERNAL
guint64 gst_ws_fanout_take_bytes_sent (GstWsFanout * fanout);

G_END_DECLS

#endif /* __GST_WS_FANOUT_H__ */

/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_PEER_H__
#define __GST_WS_PEER_H__

#include <gio/gio.h>

#include "gstwsframe.h"

G_BEGIN_DECLS

/* The server side of one WebSocket connection, after the upgrade: reads the
 * client's frames into whole messages (bounded by a maximum size), answers
 * pings, runs the close handshake, and writes with non-blocking writev()
 * its own frames, then the frames its owner supplies without copying them.
 * Bad input costs the connection, with the matching close code. Everything
 * here runs in the thread whose default main context was current at
 * gst_ws_peer_new(). */
typedef struct _GstWsPeer GstWsPeer;

typedef struct
{
  /* A whole data message (GST_WS_OP_BINARY or GST_WS_OP_TEXT) arrived;
   * @payload is borrowed (ref it to keep it). May be NULL. */
  void (*message) (gpointer user_data, guint8 opcode, GBytes * payload);
  /* The connection is over and closed; @why says how. Called once, from the
   * main context, never from inside a gst_ws_peer_*() call. The owner then
   * frees the peer (it may do so here). */
  void (*gone) (gpointer user_data, const gchar * why);
  /* The owner's frames to send after the peer's own: fills up to @max
   * pointers with the next ones without consuming them; they must stay valid
   * until consumed() or the next peek(). May be NULL. */
  guint (*peek) (gpointer user_data, const GstWsFrame ** frames, guint max);
  /* @n_frames of those peek() returned are done with: written, or the first
   * of them is now partly written and the peer keeps its own reference.
   * @n_bytes of any frames went out. May be NULL when peek() is. These two
   * run from inside any gst_ws_peer_*() call and must not call back. */
  void (*consumed) (gpointer user_data, guint n_frames, gsize n_bytes);
} GstWsPeerHooks;

/* How long a closing connection may take to deliver its close frame and to
 * get the client's. */
#define GST_WS_PEER_CLOSE_TIMEOUT_MS 2000

/* A message (or frame) a client started must end within @timeout_ms of
 * its first byte, else the connection is closed with 1008; a client that
 * sends nothing between messages is never timed out. The server sets it on
 * the stream before handing it to the element; gst_ws_peer_new() reads it.
 * 0 (the default): no limit. */
G_GNUC_INTERNAL
void gst_ws_peer_stream_set_message_timeout (GIOStream * stream,
    guint timeout_ms);

/* Takes @stream. @name: the client's address, for the log. @max_message:
 * the largest message accepted (a larger one closes with 1009), or 0 to
 * skip whatever the client sends. */
G_GNUC_INTERNAL
GstWsPeer *gst_ws_peer_new (GIOStream * stream, const gchar * name,
    gsize max_message, const GstWsPeerHooks * hooks, gpointer user_data);

/* Closes the connection at once if it is still open; no more hooks run. */
G_GNUC_INTERNAL
void gst_ws_peer_free (GstWsPeer * peer);

/* Queues a copy of @frame (a reference to its payload) after the peer's
 * other own frames; gst_ws_peer_wake() sends it. */
G_GNUC_INTERNAL
void gst_ws_peer_queue (GstWsPeer * peer, const GstWsFrame * frame);

/* There is something new to send: writes what the socket takes now. */
G_GNUC_INTERNAL
void gst_ws_peer_wake (GstWsPeer * peer);

/* Sends a close frame after what is partly written and nothing else; the
 * connection ends when the client answers or closes, or after the timeout. */
G_GNUC_INTERNAL
void gst_ws_peer_close (GstWsPeer * peer, gushort code, const gchar * reason);

/* FALSE once closing: the peer takes no more of its owner's frames. */
G_GNUC_INTERNAL
gboolean gst_ws_peer_is_open (GstWsPeer * peer);

/* Starts loading what a write to @peer reads into the cache. */
G_GNUC_INTERNAL
void gst_ws_peer_prefetch (GstWsPeer * peer);

G_GNUC_INTERNAL
const gchar *gst_ws_peer_get_name (GstWsPeer * peer);

G_END_DECLS

#endif /* __GST_WS_PEER_H__ */

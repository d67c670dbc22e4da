/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* websocketsrc's clients, in the server thread: the format each one
 * declares, who the talker is, the close handshakes, and each message of
 * the talker cut to whole frames and handed over to the streaming thread
 * with its arrival time. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstwssrcclients.h"
#include "gstwspeer.h"
#include "gstwssrcpayload.h"

GST_DEBUG_CATEGORY_EXTERN (websocket_src_debug);
#define GST_CAT_DEFAULT websocket_src_debug

/* Bound of the hand-over queue: one second of raw audio, or this many bytes
 * of anything else. */
#define QUEUE_MAX_TIME GST_SECOND
#define QUEUE_MAX_BYTES (256 * 1024)

/* One client connection; server thread only. */
struct _GstWsSrcConn
{
  GstWebsocketSrc *src;
  GstWsPeer *peer;              /* server mode: our own transport */
  SoupWebsocketConnection *conn;        /* client mode: libsoup's */
  gchar *name;                  /* the client's address, or the uri */
  guint id;
  GstCaps *caps;                /* fixed: what its messages carry */
  guint rate;                   /* 0: not raw audio */
  guint bpf;                    /* bytes per frame, 1 when not raw */
  gboolean rate_declared;       /* in the query */
  gsize queue_limit;
  guint64 frames;               /* received, whole */
  GByteArray *carry;            /* the start of an incomplete frame */
  gboolean counted;             /* in num-clients */
  gboolean closing;             /* we closed it, not gone yet */
};


/* What a client's messages carry: the caps property, with the format the
 * client declared applied to raw audio. NULL for an invalid declaration. */
static GstCaps *
declared_caps (GstWebsocketSrc * src, GHashTable * query)
{
  GstCaps *property, *caps;

  GST_OBJECT_LOCK (src);
  property = gst_caps_ref (src->caps);
  GST_OBJECT_UNLOCK (src);
  caps = gst_ws_src_declared_caps (property, query);
  gst_caps_unref (property);
  return caps;
}

static void
conn_set_counted (GstWsSrcConn * c, gboolean counted)
{
  GstWebsocketSrc *src = c->src;

  if (c->counted == counted)
    return;
  c->counted = counted;
  GST_OBJECT_LOCK (src);
  src->num_clients += counted ? 1 : -1;
  GST_OBJECT_UNLOCK (src);
  g_object_notify (G_OBJECT (src), "num-clients");
}

static void
conn_free (GstWsSrcConn * c)
{
  if (c->peer != NULL)
    gst_ws_peer_free (c->peer);
  if (c->conn != NULL) {
    g_signal_handlers_disconnect_by_data (c->conn, c);
    g_object_unref (c->conn);
  }
  gst_caps_unref (c->caps);
  g_byte_array_unref (c->carry);
  g_free (c->name);
  g_free (c);
}

/* Hands @bytes of @c (whole frames, or NULL when it stops talking) over to
 * the streaming thread. */
static void
hand_over (GstWsSrcConn * c, GBytes * bytes)
{
  GstWebsocketSrc *src = c->src;
  GstWsSrcChunk *chunk;
  guint dropped;
  gboolean first_drop;

  chunk = gst_ws_src_chunk_new (bytes, c->caps, c->id, c->rate, c->bpf,
      c->rate != 0 && !c->rate_declared,
      gst_websocket_src_running_time (src), &c->frames);
  if (!gst_ws_src_queue_push (&src->queue, chunk, c->queue_limit, &dropped,
          &first_drop)) {
    GST_LOG_OBJECT (src, "not playing, dropping what %s sent", c->name);
    return;
  }
  if (first_drop)
    GST_DEBUG_OBJECT (src, "queue full, dropping the oldest messages");
  else if (dropped > 0)
    GST_LOG_OBJECT (src, "dropped %u more messages", dropped);
}

/* The talker is gone or closed: the stream waits for the next one. */
static void
talker_left (GstWsSrcConn * c)
{
  c->src->talker = NULL;
  hand_over (c, NULL);
}

static void
conn_remove (GstWsSrcConn * c, const gchar * why)
{
  GstWebsocketSrc *src = c->src;

  GST_INFO_OBJECT (src, "client %s gone: %s", c->name, why);
  src->conns = g_list_remove (src->conns, c);
  if (src->talker == c)
    talker_left (c);
  conn_set_counted (c, FALSE);
  GST_OBJECT_LOCK (src);
  src->n_conns--;
  g_cond_broadcast (&src->conns_cond);
  GST_OBJECT_UNLOCK (src);
  conn_free (c);
}

/* Drops a client that did not finish its close handshake in time. */
static void
conn_abort (GstWsSrcConn * c)
{
  GST_DEBUG_OBJECT (c->src, "aborting client %s", c->name);
  /* A peer closes its stream as it is freed. */
  if (c->conn != NULL)
    g_io_stream_close (soup_websocket_connection_get_io_stream (c->conn),
        NULL, NULL);
  conn_remove (c, "aborted");
}

/* Client mode: libsoup 3.2 drops a server that sends an oversized message
 * without any close frame; this one goes straight to the socket, masked as
 * from a client. The element never sends data, so no frame of ours is half
 * written; only a pong could be, which is a risk we take. */
static void
write_close_frame (SoupWebsocketConnection * conn, gushort code,
    const gchar * reason)
{
  GOutputStream *out;
  guint8 frame[2 + 4 + 125];
  gsize len = MIN (strlen (reason), 64), n = 0, i;
  guint32 random = g_random_int ();
  guint8 *mask, *payload;

  out = g_io_stream_get_output_stream
      (soup_websocket_connection_get_io_stream (conn));
  if (!G_IS_POLLABLE_OUTPUT_STREAM (out))
    return;
  frame[n++] = 0x80 | GST_WS_OP_CLOSE;
  frame[n++] = 0x80 | (2 + len);
  mask = frame + n;
  memcpy (mask, &random, 4);
  n += 4;
  payload = frame + n;
  frame[n++] = code >> 8;
  frame[n++] = code & 0xff;
  memcpy (frame + n, reason, len);
  n += len;
  for (i = 0; i < 2 + len; i++)
    payload[i] ^= mask[i % 4];
  g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (out),
      frame, n, NULL, NULL);
}

static void
conn_close (GstWsSrcConn * c, gushort code, const gchar * reason)
{
  GstWebsocketSrc *src = c->src;

  if (c->closing)
    return;
  GST_INFO_OBJECT (src, "closing client %s: %u %s", c->name, code, reason);
  c->closing = TRUE;
  if (src->talker == c)
    talker_left (c);
  conn_set_counted (c, FALSE);
  if (c->peer != NULL)
    gst_ws_peer_close (c->peer, code, reason);
  else if (soup_websocket_connection_get_state (c->conn) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->conn, code, reason);
}

/* Cuts a message into whole frames, keeping the rest for the next one.
 * Returns NULL when no whole frame is complete yet. */
static GBytes *
conn_align (GstWsSrcConn * c, GBytes * message)
{
  return gst_ws_src_align_frames (c->carry, c->bpf, message);
}

static void
conn_message (GstWsSrcConn * c, gboolean binary, GBytes * message)
{
  GstWebsocketSrc *src = c->src;
  GBytes *aligned;

  if (!binary) {
    GST_LOG_OBJECT (src, "ignoring a text message from %s", c->name);
    return;
  }
  GST_OBJECT_LOCK (src);
  src->bytes_received += g_bytes_get_size (message);
  GST_OBJECT_UNLOCK (src);
  if (c != src->talker)
    return;
  aligned = conn_align (c, message);
  if (aligned != NULL)
    hand_over (c, aligned);
}

static void
peer_message (gpointer data, guint8 opcode, GBytes * payload)
{
  conn_message (data, opcode == GST_WS_OP_BINARY, payload);
}

static void
peer_gone (gpointer data, const gchar * why)
{
  conn_remove (data, why);
}

static void
conn_message_cb (SoupWebsocketConnection * conn, gint type, GBytes * message,
    GstWsSrcConn * c)
{
  conn_message (c, type == SOUP_WEBSOCKET_DATA_BINARY, message);
}

static void
conn_error_cb (SoupWebsocketConnection * conn, GError * error, GstWsSrcConn * c)
{
  GST_INFO_OBJECT (c->src, "client %s: %s", c->name, error->message);
  /* libsoup closes the socket right after this without telling the peer,
   * which would only see an abnormal closure (1006). */
  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR,
          SOUP_WEBSOCKET_CLOSE_TOO_BIG)
      && soup_websocket_connection_get_state (conn) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    write_close_frame (conn, GST_WS_CLOSE_TOO_BIG, "message too big");
}

static void
conn_closed_cb (SoupWebsocketConnection * conn, GstWsSrcConn * c)
{
  g_autofree gchar *why = g_strdup_printf ("closed with code %u",
      soup_websocket_connection_get_close_code (conn));

  conn_remove (c, why);
}

static void
conn_set_format (GstWsSrcConn * c, GstCaps * caps)
{
  GstAudioInfo info;

  c->caps = caps;
  if (gst_ws_src_raw_audio_info (&info, caps)) {
    c->rate = GST_AUDIO_INFO_RATE (&info);
    c->bpf = GST_AUDIO_INFO_BPF (&info);
    c->queue_limit = gst_util_uint64_scale_int (QUEUE_MAX_TIME, c->rate,
        GST_SECOND) * c->bpf;
  } else {
    c->rate = 0;
    c->bpf = 1;
    c->queue_limit = QUEUE_MAX_BYTES;
  }
}

/* A connection without its transport yet. */
static GstWsSrcConn *
conn_new (GstWebsocketSrc * src, const gchar * name, GstCaps * caps)
{
  GstWsSrcConn *c = g_new0 (GstWsSrcConn, 1);

  c->src = src;
  c->name = g_strdup (name);
  c->id = ++src->last_talker_id;
  c->carry = g_byte_array_new ();
  conn_set_format (c, caps);
  src->conns = g_list_prepend (src->conns, c);
  GST_OBJECT_LOCK (src);
  src->n_conns++;
  GST_OBJECT_UNLOCK (src);
  return c;
}

static guint
max_message_size (GstWebsocketSrc * src)
{
  guint max;

  GST_OBJECT_LOCK (src);
  max = src->max_message_size;
  GST_OBJECT_UNLOCK (src);
  return max;
}

/* A new client: it becomes the talker unless the policy keeps the current
 * one. */
static void
conn_admit_talker (GstWebsocketSrc * src, GstWsSrcConn * c)
{
  GstWsSrcConn *old = src->talker;
  GstWsTalkerPolicy policy;

  GST_OBJECT_LOCK (src);
  policy = src->talker_policy;
  GST_OBJECT_UNLOCK (src);
  if (old != NULL && policy == GST_WS_TALKER_FIRST) {
    conn_close (c, GST_WS_CLOSE_TRY_AGAIN_LATER, "another client is talking");
    return;
  }
  conn_set_counted (c, TRUE);
  if (old != NULL) {
    gst_ws_src_queue_drop (&src->queue, old->id);
    conn_close (old, GST_WS_CLOSE_NORMAL, "another client took over");
  }
  src->talker = c;
  GST_INFO_OBJECT (src, "client %s is the talker, %" GST_PTR_FORMAT, c->name,
      c->caps);
}

static guint
admit (gpointer data, SoupServerMessage * msg, GHashTable * query)
{
  GstWebsocketSrc *src = data;
  GstCaps *caps = declared_caps (src, query);

  if (caps == NULL) {
    GST_INFO_OBJECT (src, "refusing %s: invalid format in query",
        soup_server_message_get_remote_host (msg));
    return SOUP_STATUS_BAD_REQUEST;
  }
  gst_caps_unref (caps);
  return 0;
}

static const GstWsPeerHooks peer_hooks = { peer_message, peer_gone };

static void
accepted (gpointer data, GIOStream * stream, GUri * uri, const gchar * peer,
    const gchar * origin, GHashTable * query)
{
  GstWebsocketSrc *src = data;
  GstCaps *caps = declared_caps (src, query);
  GstWsSrcConn *c;

  c = conn_new (src, peer, caps ? caps : declared_caps (src, NULL));
  c->rate_declared = query != NULL && g_hash_table_contains (query, "rate");
  c->peer = gst_ws_peer_new (stream, peer, max_message_size (src),
      &peer_hooks, c);
  /* The caps property changed since admit() and the query no longer fits. */
  if (caps == NULL)
    conn_close (c, GST_WS_CLOSE_UNSUPPORTED_DATA, "invalid format");
  else
    conn_admit_talker (src, c);
}

static void
client_connected (gpointer data, SoupWebsocketConnection * conn)
{
  GstWebsocketSrc *src = data;
  GstWsSrcConn *c;
  gchar *uri;

  GST_OBJECT_LOCK (src);
  uri = g_strdup (src->settings.uri);
  GST_OBJECT_UNLOCK (src);
  c = conn_new (src, uri, declared_caps (src, NULL));
  g_free (uri);
  c->conn = g_object_ref (conn);
  soup_websocket_connection_set_max_incoming_payload_size (conn,
      max_message_size (src));
  g_signal_connect (conn, "message", G_CALLBACK (conn_message_cb), c);
  g_signal_connect (conn, "error", G_CALLBACK (conn_error_cb), c);
  g_signal_connect (conn, "closed", G_CALLBACK (conn_closed_cb), c);
  conn_admit_talker (src, c);
}

static void
client_disconnected (gpointer data, SoupWebsocketConnection * conn)
{
  GstWebsocketSrc *src = data;
  GList *l;

  for (l = src->conns; l != NULL; l = l->next) {
    GstWsSrcConn *c = l->data;

    if (c->conn == conn) {
      conn_remove (c, "disconnected");
      return;
    }
  }
}

const GstWsServerHooks gst_ws_src_server_hooks = { admit, accepted };
const GstWsClientHooks gst_ws_src_client_hooks =
    { client_connected, client_disconnected };

typedef struct
{
  GstWebsocketSrc *src;
  guint talker;
} Reject;

static gboolean
reject_in_loop (gpointer data)
{
  Reject *r = data;
  GList *l;

  for (l = r->src->conns; l != NULL; l = l->next) {
    GstWsSrcConn *c = l->data;

    if (c->id == r->talker)
      conn_close (c, GST_WS_CLOSE_UNSUPPORTED_DATA,
          "format not accepted downstream");
  }
  return G_SOURCE_REMOVE;
}

void
gst_ws_src_clients_reject (GstWebsocketSrc * src, guint talker)
{
  Reject *r = g_new0 (Reject, 1);

  r->src = src;
  r->talker = talker;
  gst_ws_loop_invoke (&src->loop, reject_in_loop, r, g_free);
}

static gpointer
close_all_in_loop (gpointer data)
{
  GstWebsocketSrc *src = data;
  GList *l;

  for (l = src->conns; l != NULL; l = l->next)
    conn_close (l->data, GST_WS_CLOSE_GOING_AWAY, "server shutting down");
  return NULL;
}

void
gst_ws_src_clients_close_all (GstWebsocketSrc * src)
{
  gst_ws_loop_call (&src->loop, close_all_in_loop, src);
}

static gpointer
abort_all_in_loop (gpointer data)
{
  GstWebsocketSrc *src = data;

  while (src->conns != NULL)
    conn_abort (src->conns->data);
  return NULL;
}

void
gst_ws_src_clients_abort_all (GstWebsocketSrc * src)
{
  gst_ws_loop_call (&src->loop, abort_all_in_loop, src);
}

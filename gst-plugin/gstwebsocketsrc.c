/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-websocketsrc
 * @title: websocketsrc
 * @see_also: websocketsink, tcpserversrc, appsrc
 *
 * A live source that turns every binary WebSocket message of a client into a
 * buffer. By default it is a WebSocket server, listening from the READY state
 * on; with #GstWebsocketSrc:uri set it connects to a remote server instead
 * and reconnects with backoff. Text messages are ignored.
 *
 * The messages carry #GstWebsocketSrc:caps, by default the browser
 * microphone format: raw mono F32LE audio at 44100 Hz. A client may declare
 * its own raw format in its query, e.g. `/?rate=48000&channels=1&format=F32LE`
 * (format F32LE or S16LE; unknown parameters such as `jwt_token` are
 * ignored); the caps change downstream before its first buffer, so an
 * audioresample corrects the pitch. A bad declaration is refused with HTTP
 * 400. Raw audio is timestamped from its sample count, anchored to the
 * running time of the clock when a talker starts; when the stream falls
 * behind the clock by more than #GstWebsocketSrc:latency (the talker paused,
 * reconnected or was replaced) it resyncs with a DISCONT buffer. A message
 * that is not a whole number of sample frames is carried over to the next
 * one. Other caps are timestamped with the running time of arrival.
 *
 * Only one client, the talker, feeds the stream. With the default
 * #GstWebsocketSrc:talker-policy a new client takes over and the previous
 * one is closed; otherwise newcomers are closed with code 1013. A client that
 * leaves never ends the stream: the source waits for the next talker. A
 * client sending a message larger than #GstWebsocketSrc:max-message-size
 * (all its fragments together) is closed with code 1009, before more of it
 * is stored; invalid UTF-8 in a text message costs code 1007, a malformed
 * frame 1002. Misbehaving clients only ever lose their own connection.
 * Clients still connected when the element goes to NULL are closed with code
 * 1001.
 *
 * Threading and ownership: libsoup and every client connection live in the
 * element's own thread with its own GMainContext. In server mode libsoup
 * only completes the upgrade; each connection is then a GstWsPeer, the
 * transport websocketsink uses too, which reads whole messages up to the
 * maximum size; in client mode it is libsoup's connection. That thread
 * aligns each message to whole sample frames and appends it (its memory,
 * not a copy) to a queue bounded to about one second of the stream,
 * dropping the oldest data when full; it never waits for the streaming
 * thread. The streaming thread takes the queue in create(), timestamps and
 * pushes; unlock() makes it return FLUSHING at once. Data arriving while the
 * element is not PLAYING is dropped, so a pipeline held in READY or PAUSED
 * accepts clients without building a backlog.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 websocketsrc port=29789 ! audioconvert ! audioresample ! \
 *     pulsesink
 * ]| Plays the microphone of the browser that connects to ws://HOST:29789/.
 * |[
 * gst-launch-1.0 websocketsrc uri=ws://127.0.0.1:29788/ \
 *     caps="video/mpegts,systemstream=true,packetsize=188" ! tsdemux ! \
 *     mpegaudioparse ! mpg123audiodec ! audioconvert ! autoaudiosink
 * ]| Client mode: listens to the MPEG-TS stream a websocketsink serves.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstwebsocketelements.h"
#include "gstwebsocketsrc.h"
#include "gstwspeer.h"

GST_DEBUG_CATEGORY_STATIC (websocket_src_debug);
#define GST_CAT_DEFAULT websocket_src_debug

#define DEFAULT_CAPS "audio/x-raw,format=F32LE,rate=44100,channels=1," \
    "layout=interleaved"
#define DEFAULT_LATENCY_MS 40
#define DEFAULT_MAX_MESSAGE_SIZE 65536
#define DEFAULT_TALKER_POLICY GST_WS_TALKER_NEWEST

#define MAX_LATENCY_MS 10000
#define MAX_MESSAGE_SIZE (16 * 1024 * 1024)
/* Bound of the hand-over queue: one second of raw audio, or this many bytes
 * of anything else. */
#define QUEUE_MAX_TIME GST_SECOND
#define QUEUE_MAX_BYTES (256 * 1024)
/* How long going to NULL waits for clients to answer the 1001 close. */
#define CLOSE_WAIT_MS 1000
/* What a client may declare in its query. */
#define MAX_DECLARED_RATE 768000
#define MAX_DECLARED_CHANNELS 8

#define QUEUE_LOCK(s) g_mutex_lock (&(s)->queue_lock)
#define QUEUE_UNLOCK(s) g_mutex_unlock (&(s)->queue_lock)

enum
{
  PROP_CAPS = GST_WS_PROP_LAST,
  PROP_LATENCY,
  PROP_MAX_MESSAGE_SIZE,
  PROP_TALKER_POLICY,
  PROP_NUM_CLIENTS,
  PROP_BYTES_RECEIVED,
  PROP_LAST
};

static GParamSpec *properties[PROP_LAST];

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

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
  gsize queue_limit;
  GByteArray *carry;            /* the start of an incomplete frame */
  gboolean counted;             /* in num-clients */
  gboolean closing;             /* we closed it, not gone yet */
};

/* One aligned message on its way to the streaming thread. */
typedef struct
{
  GBytes *bytes;
  GstCaps *caps;
  guint talker;
  guint rate;
  guint bpf;
  GstClockTime arrival;         /* running time, for non-raw caps */
  gboolean discont;
} GstWsSrcChunk;

#define gst_websocket_src_parent_class parent_class
G_DEFINE_TYPE (GstWebsocketSrc, gst_websocket_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE (websocketsrc, "websocketsrc", GST_RANK_NONE,
    GST_TYPE_WEBSOCKET_SRC);

static void gst_websocket_src_finalize (GObject * object);
static void gst_websocket_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_websocket_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_websocket_src_change_state (GstElement *
    element, GstStateChange transition);
static GstCaps *gst_websocket_src_get_caps (GstBaseSrc * bsrc,
    GstCaps * filter);
static gboolean gst_websocket_src_set_caps (GstBaseSrc * bsrc, GstCaps * caps);
static gboolean gst_websocket_src_start (GstBaseSrc * bsrc);
static gboolean gst_websocket_src_stop (GstBaseSrc * bsrc);
static gboolean gst_websocket_src_unlock (GstBaseSrc * bsrc);
static gboolean gst_websocket_src_unlock_stop (GstBaseSrc * bsrc);
static gboolean gst_websocket_src_query (GstBaseSrc * bsrc, GstQuery * query);
static GstFlowReturn gst_websocket_src_create (GstPushSrc * psrc,
    GstBuffer ** outbuf);

GType
gst_ws_talker_policy_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_WS_TALKER_NEWEST, "The newest client takes over, the previous "
          "talker is closed", "newest"},
    {GST_WS_TALKER_FIRST, "The first client keeps the stream, newcomers are "
          "closed with code 1013", "first"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstWsTalkerPolicy", values));
  return type;
}

static void
install_properties (GObjectClass * gobject_class)
{
  guint prop;

  properties[PROP_CAPS] = g_param_spec_boxed ("caps", "Caps",
      "Format of the clients' binary messages, for clients that connect "
      "afterwards; with raw audio a client may override rate, channels and "
      "format (F32LE or S16LE) in its query, e.g. ?rate=48000 (NULL = the "
      "default: " DEFAULT_CAPS ")", GST_TYPE_CAPS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_LATENCY] = g_param_spec_uint ("latency", "Latency",
      "Latency reported downstream, in milliseconds: raw audio that falls "
      "further behind the clock is dropped, or resynced with a DISCONT "
      "buffer when it is the newest", 0, MAX_LATENCY_MS, DEFAULT_LATENCY_MS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_MAX_MESSAGE_SIZE] = g_param_spec_uint ("max-message-size",
      "Max message size", "Largest message accepted from a client, in bytes; "
      "a client sending a larger one is closed with code 1009 (applies to "
      "clients that connect afterwards)", 1, MAX_MESSAGE_SIZE,
      DEFAULT_MAX_MESSAGE_SIZE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_TALKER_POLICY] = g_param_spec_enum ("talker-policy",
      "Talker policy", "Which client feeds the stream when another one "
      "connects: the newest (the previous talker is closed with code 1000) "
      "or the first (the newcomer is closed with code 1013)",
      GST_TYPE_WS_TALKER_POLICY, DEFAULT_TALKER_POLICY,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_NUM_CLIENTS] = g_param_spec_uint ("num-clients",
      "Number of clients", "Connected clients, not counting those being "
      "closed (at most one talker; notifies)", 0, G_MAXUINT, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_RECEIVED] = g_param_spec_uint64 ("bytes-received",
      "Bytes received", "Payload bytes of the binary messages received from "
      "all clients since the element was created", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  for (prop = PROP_CAPS; prop < PROP_LAST; prop++)
    g_object_class_install_property (gobject_class, prop, properties[prop]);
}

static void
gst_websocket_src_class_init (GstWebsocketSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *pushsrc_class = GST_PUSH_SRC_CLASS (klass);

  gobject_class->finalize = gst_websocket_src_finalize;
  gobject_class->set_property = gst_websocket_src_set_property;
  gobject_class->get_property = gst_websocket_src_get_property;

  gst_ws_settings_install_properties (gobject_class);
  install_properties (gobject_class);

  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "WebSocket source",
      "Source/Network", "Receive a live stream from WebSocket clients "
      "(a server, or a client with uri set)", "wsaudio developers");
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_websocket_src_change_state);

  basesrc_class->get_caps = GST_DEBUG_FUNCPTR (gst_websocket_src_get_caps);
  basesrc_class->set_caps = GST_DEBUG_FUNCPTR (gst_websocket_src_set_caps);
  basesrc_class->start = GST_DEBUG_FUNCPTR (gst_websocket_src_start);
  basesrc_class->stop = GST_DEBUG_FUNCPTR (gst_websocket_src_stop);
  basesrc_class->unlock = GST_DEBUG_FUNCPTR (gst_websocket_src_unlock);
  basesrc_class->unlock_stop =
      GST_DEBUG_FUNCPTR (gst_websocket_src_unlock_stop);
  basesrc_class->query = GST_DEBUG_FUNCPTR (gst_websocket_src_query);
  pushsrc_class->create = GST_DEBUG_FUNCPTR (gst_websocket_src_create);

  gst_type_mark_as_plugin_api (GST_TYPE_WS_TALKER_POLICY, 0);
  GST_DEBUG_CATEGORY_INIT (websocket_src_debug, "websocketsrc", 0,
      "WebSocket source");
}

static void
gst_websocket_src_init (GstWebsocketSrc * src)
{
  gst_ws_settings_init (&src->settings);
  src->caps = gst_caps_from_string (DEFAULT_CAPS);
  src->latency_ms = DEFAULT_LATENCY_MS;
  src->max_message_size = DEFAULT_MAX_MESSAGE_SIZE;
  src->talker_policy = DEFAULT_TALKER_POLICY;
  g_mutex_init (&src->queue_lock);
  g_cond_init (&src->queue_cond);
  g_cond_init (&src->conns_cond);
  g_queue_init (&src->queue);
  src->anchor = GST_CLOCK_TIME_NONE;

  gst_base_src_set_live (GST_BASE_SRC (src), TRUE);
  gst_base_src_set_format (GST_BASE_SRC (src), GST_FORMAT_TIME);
}

static void
chunk_free (GstWsSrcChunk * chunk)
{
  g_bytes_unref (chunk->bytes);
  gst_caps_unref (chunk->caps);
  g_free (chunk);
}

static void
gst_websocket_src_finalize (GObject * object)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (object);

  gst_ws_settings_clear (&src->settings);
  gst_clear_caps (&src->caps);
  gst_clear_caps (&src->stream_caps);
  g_queue_clear_full (&src->queue, (GDestroyNotify) chunk_free);
  g_mutex_clear (&src->queue_lock);
  g_cond_clear (&src->queue_cond);
  g_cond_clear (&src->conns_cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* Any thread: the running time of the pipeline clock, or NONE. */
static GstClockTime
running_time_now (GstWebsocketSrc * src)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (src));
  GstClockTime now, base;

  if (clock == NULL)
    return GST_CLOCK_TIME_NONE;
  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (GST_ELEMENT (src));
  gst_object_unref (clock);
  return now > base ? now - base : 0;
}

/* ------------------------------------------------------------------------
 * The hand-over queue
 * ------------------------------------------------------------------------ */

/* Queue lock held. */
static void
queue_drop_where (GstWebsocketSrc * src, guint talker)
{
  GList *l = src->queue.head, *next;

  for (; l != NULL; l = next) {
    GstWsSrcChunk *chunk = l->data;

    next = l->next;
    if (talker != 0 && chunk->talker != talker)
      continue;
    src->queued_bytes -= g_bytes_get_size (chunk->bytes);
    chunk_free (chunk);
    g_queue_delete_link (&src->queue, l);
  }
  src->queue_discont = TRUE;
}

/* Server thread: hands an aligned message of @c over. */
static void
queue_push (GstWebsocketSrc * src, GstWsSrcConn * c, GBytes * bytes)
{
  GstWsSrcChunk *chunk;
  GstClockTime arrival;
  guint dropped = 0;
  gboolean overflowing;

  arrival = c->rate ? GST_CLOCK_TIME_NONE : running_time_now (src);
  QUEUE_LOCK (src);
  if (!src->playing) {
    QUEUE_UNLOCK (src);
    GST_LOG_OBJECT (src, "not playing, dropping %" G_GSIZE_FORMAT " bytes",
        g_bytes_get_size (bytes));
    g_bytes_unref (bytes);
    return;
  }
  chunk = g_new0 (GstWsSrcChunk, 1);
  chunk->bytes = bytes;
  chunk->caps = gst_caps_ref (c->caps);
  chunk->talker = c->id;
  chunk->rate = c->rate;
  chunk->bpf = c->bpf;
  chunk->arrival = arrival;
  g_queue_push_tail (&src->queue, chunk);
  src->queued_bytes += g_bytes_get_size (bytes);
  /* The streaming thread is behind: the oldest data is the least useful. */
  while (src->queued_bytes > c->queue_limit && src->queue.length > 1) {
    GstWsSrcChunk *old = g_queue_pop_head (&src->queue);

    src->queued_bytes -= g_bytes_get_size (old->bytes);
    chunk_free (old);
    dropped++;
  }
  if (dropped > 0 || src->queue_discont)
    ((GstWsSrcChunk *) g_queue_peek_head (&src->queue))->discont = TRUE;
  src->queue_discont = FALSE;
  /* Logged once per overflow, not once per message. */
  overflowing = src->overflowing;
  src->overflowing = dropped > 0 || (overflowing && src->queue.length > 1);
  g_cond_signal (&src->queue_cond);
  QUEUE_UNLOCK (src);
  if (dropped > 0 && !overflowing)
    GST_DEBUG_OBJECT (src, "queue full, dropping the oldest messages");
  else if (dropped > 0)
    GST_LOG_OBJECT (src, "dropped %u more messages", dropped);
}

/* Streaming thread: waits for the next chunk; @more tells whether others
 * follow it already. */
static GstFlowReturn
queue_pop (GstWebsocketSrc * src, GstWsSrcChunk ** chunk, gboolean * more)
{
  QUEUE_LOCK (src);
  while (g_queue_is_empty (&src->queue) && !src->flushing)
    g_cond_wait (&src->queue_cond, &src->queue_lock);
  if (src->flushing) {
    QUEUE_UNLOCK (src);
    return GST_FLOW_FLUSHING;
  }
  *chunk = g_queue_pop_head (&src->queue);
  src->queued_bytes -= g_bytes_get_size ((*chunk)->bytes);
  *more = !g_queue_is_empty (&src->queue);
  QUEUE_UNLOCK (src);
  return GST_FLOW_OK;
}

static void
queue_set_playing (GstWebsocketSrc * src, gboolean playing)
{
  QUEUE_LOCK (src);
  src->playing = playing;
  if (!playing)
    queue_drop_where (src, 0);
  QUEUE_UNLOCK (src);
}

/* ------------------------------------------------------------------------
 * Clients (server thread)
 * ------------------------------------------------------------------------ */

static gboolean
parse_uint_param (GHashTable * query, const gchar * key, guint min, guint max,
    guint * value)
{
  const gchar *text = g_hash_table_lookup (query, key);
  guint64 parsed;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &parsed, NULL))
    return FALSE;
  *value = parsed;
  return TRUE;
}

/* Applies ?rate=&channels=&format= to @info; FALSE when one is invalid. */
static gboolean
apply_declaration (GstAudioInfo * info, GHashTable * query, gboolean * changed)
{
  guint old_rate = GST_AUDIO_INFO_RATE (info), rate = old_rate;
  guint old_channels = GST_AUDIO_INFO_CHANNELS (info), channels = old_channels;
  GstAudioFormat format = GST_AUDIO_INFO_FORMAT (info);
  const gchar *name = g_hash_table_lookup (query, "format");

  if (!parse_uint_param (query, "rate", 1, MAX_DECLARED_RATE, &rate)
      || !parse_uint_param (query, "channels", 1, MAX_DECLARED_CHANNELS,
          &channels))
    return FALSE;
  if (name != NULL) {
    if (g_strcmp0 (name, "F32LE") != 0 && g_strcmp0 (name, "S16LE") != 0)
      return FALSE;
    format = gst_audio_format_from_string (name);
  }
  *changed = rate != old_rate || channels != old_channels
      || format != GST_AUDIO_INFO_FORMAT (info);
  if (*changed)
    gst_audio_info_set_format (info, format, rate, channels, NULL);
  return TRUE;
}

/* What a client's messages carry: the caps property, with the format the
 * client declared applied to raw audio. NULL for an invalid declaration. */
static GstCaps *
declared_caps (GstWebsocketSrc * src, GHashTable * query)
{
  GstCaps *caps;
  GstAudioInfo info;
  gboolean changed = FALSE;

  GST_OBJECT_LOCK (src);
  caps = gst_caps_copy (src->caps);
  GST_OBJECT_UNLOCK (src);
  caps = gst_caps_fixate (caps);
  if (query == NULL || !gst_audio_info_from_caps (&info, caps))
    return caps;
  if (!apply_declaration (&info, query, &changed)) {
    gst_caps_unref (caps);
    return NULL;
  }
  if (changed) {
    gst_caps_unref (caps);
    caps = gst_audio_info_to_caps (&info);
  }
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
  g_object_notify_by_pspec (G_OBJECT (src), properties[PROP_NUM_CLIENTS]);
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

static void
conn_remove (GstWsSrcConn * c, const gchar * why)
{
  GstWebsocketSrc *src = c->src;

  GST_INFO_OBJECT (src, "client %s gone: %s", c->name, why);
  src->conns = g_list_remove (src->conns, c);
  if (src->talker == c)
    src->talker = NULL;
  conn_set_counted (c, FALSE);
  QUEUE_LOCK (src);
  src->n_conns--;
  g_cond_broadcast (&src->conns_cond);
  QUEUE_UNLOCK (src);
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
    src->talker = NULL;
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
  gsize size, total, whole, used;
  const guint8 *data = g_bytes_get_data (message, &size);
  guint8 *out;

  if (c->carry->len == 0 && size % c->bpf == 0)
    return size > 0 ? g_bytes_ref (message) : NULL;
  total = c->carry->len + size;
  whole = total - total % c->bpf;
  if (whole == 0) {
    g_byte_array_append (c->carry, data, size);
    return NULL;
  }
  used = whole - c->carry->len;
  out = g_malloc (whole);
  if (c->carry->len > 0)
    memcpy (out, c->carry->data, c->carry->len);
  memcpy (out + c->carry->len, data, used);
  g_byte_array_set_size (c->carry, 0);
  g_byte_array_append (c->carry, data + used, size - used);
  return g_bytes_new_take (out, whole);
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
    queue_push (src, c, aligned);
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
  if (gst_audio_info_from_caps (&info, caps)) {
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
  QUEUE_LOCK (src);
  src->n_conns++;
  QUEUE_UNLOCK (src);
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
    QUEUE_LOCK (src);
    queue_drop_where (src, old->id);
    QUEUE_UNLOCK (src);
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

static const GstWsServerHooks server_hooks = { admit, accepted };
static const GstWsClientHooks client_hooks =
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

static gpointer
close_all_in_loop (gpointer data)
{
  GstWebsocketSrc *src = data;
  GList *l;

  for (l = src->conns; l != NULL; l = l->next)
    conn_close (l->data, GST_WS_CLOSE_GOING_AWAY, "server shutting down");
  return NULL;
}

static gpointer
abort_all_in_loop (gpointer data)
{
  GstWebsocketSrc *src = data;

  while (src->conns != NULL)
    conn_abort (src->conns->data);
  return NULL;
}

/* ------------------------------------------------------------------------
 * Start and stop (state-change thread)
 * ------------------------------------------------------------------------ */

static void
wait_for_closes (GstWebsocketSrc * src)
{
  gint64 deadline = g_get_monotonic_time () +
      CLOSE_WAIT_MS * G_TIME_SPAN_MILLISECOND;

  QUEUE_LOCK (src);
  while (src->n_conns > 0
      && g_cond_wait_until (&src->conns_cond, &src->queue_lock, deadline));
  QUEUE_UNLOCK (src);
}

static void
endpoint_stop (GstWebsocketSrc * src)
{
  if (src->loop.thread == NULL)
    return;
  if (src->client != NULL)
    gst_ws_client_stop (src->client);
  if (src->server != NULL) {
    gst_ws_server_stop (src->server);
    gst_ws_loop_call (&src->loop, close_all_in_loop, src);
    wait_for_closes (src);
  }
  gst_ws_loop_call (&src->loop, abort_all_in_loop, src);
  gst_ws_loop_stop (&src->loop);
  g_clear_pointer (&src->server, gst_ws_server_free);
  g_clear_pointer (&src->client, gst_ws_client_free);
}

static gboolean
endpoint_start (GstWebsocketSrc * src)
{
  gboolean client_mode, ok;

  GST_OBJECT_LOCK (src);
  client_mode = src->settings.uri != NULL;
  GST_OBJECT_UNLOCK (src);
  gst_ws_loop_start (&src->loop, "websocketsrc");
  if (client_mode) {
    src->client = gst_ws_client_new (GST_ELEMENT (src), &src->settings,
        &src->loop, &client_hooks, src);
    ok = gst_ws_client_start (src->client);
  } else {
    src->server = gst_ws_server_new (GST_ELEMENT (src), &src->settings,
        &src->loop, &server_hooks, src);
    ok = gst_ws_server_start (src->server);
  }
  if (!ok)
    endpoint_stop (src);
  return ok;
}

static GstStateChangeReturn
gst_websocket_src_change_state (GstElement * element, GstStateChange transition)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!endpoint_start (src))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      queue_set_playing (src, TRUE);
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      queue_set_playing (src, FALSE);
      break;
    default:
      break;
  }
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL
      || (transition == GST_STATE_CHANGE_NULL_TO_READY
          && ret == GST_STATE_CHANGE_FAILURE))
    endpoint_stop (src);
  return ret;
}

/* ------------------------------------------------------------------------
 * Streaming thread
 * ------------------------------------------------------------------------ */

static gboolean
gst_websocket_src_start (GstBaseSrc * bsrc)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);

  src->stream_talker = 0;
  src->rejected_talker = 0;
  src->stream_rate = 0;
  src->stream_bpf = 1;
  src->anchor = GST_CLOCK_TIME_NONE;
  src->samples = 0;
  src->offset = 0;
  src->next_pts = 0;
  src->discont = TRUE;
  QUEUE_LOCK (src);
  src->flushing = FALSE;
  QUEUE_UNLOCK (src);
  return TRUE;
}

static gboolean
gst_websocket_src_stop (GstBaseSrc * bsrc)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);

  QUEUE_LOCK (src);
  queue_drop_where (src, 0);
  QUEUE_UNLOCK (src);
  GST_OBJECT_LOCK (src);
  gst_clear_caps (&src->stream_caps);
  GST_OBJECT_UNLOCK (src);
  return TRUE;
}

static gboolean
gst_websocket_src_unlock (GstBaseSrc * bsrc)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);

  QUEUE_LOCK (src);
  src->flushing = TRUE;
  g_cond_broadcast (&src->queue_cond);
  QUEUE_UNLOCK (src);
  return TRUE;
}

static gboolean
gst_websocket_src_unlock_stop (GstBaseSrc * bsrc)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);

  QUEUE_LOCK (src);
  src->flushing = FALSE;
  QUEUE_UNLOCK (src);
  return TRUE;
}

/* The caps of the current talker once there is one, else the property. */
static GstCaps *
gst_websocket_src_get_caps (GstBaseSrc * bsrc, GstCaps * filter)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);
  GstCaps *caps, *result;

  GST_OBJECT_LOCK (src);
  caps = gst_caps_ref (src->stream_caps ? src->stream_caps : src->caps);
  GST_OBJECT_UNLOCK (src);
  if (filter == NULL)
    return caps;
  result = gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);
  gst_caps_unref (caps);
  return result;
}

static gboolean
gst_websocket_src_set_caps (GstBaseSrc * bsrc, GstCaps * caps)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);

  GST_OBJECT_LOCK (src);
  gst_caps_replace (&src->stream_caps, caps);
  GST_OBJECT_UNLOCK (src);
  return TRUE;
}

static gboolean
gst_websocket_src_query (GstBaseSrc * bsrc, GstQuery * query)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);
  GstClockTime min;

  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return GST_BASE_SRC_CLASS (parent_class)->query (bsrc, query);
  GST_OBJECT_LOCK (src);
  min = src->latency_ms * GST_MSECOND;
  GST_OBJECT_UNLOCK (src);
  /* Up to a second of data can wait in the queue. */
  gst_query_set_latency (query, TRUE, min, MAX (min, QUEUE_MAX_TIME));
  GST_DEBUG_OBJECT (src, "latency %" GST_TIME_FORMAT, GST_TIME_ARGS (min));
  return TRUE;
}

/* Downstream refused the caps of a talker: that client goes, the stream
 * keeps the caps it had. */
static void
stream_reject (GstWebsocketSrc * src, GstWsSrcChunk * chunk)
{
  Reject *r = g_new0 (Reject, 1);

  GST_WARNING_OBJECT (src, "downstream refuses %" GST_PTR_FORMAT
      ", closing that client", chunk->caps);
  src->rejected_talker = chunk->talker;
  r->src = src;
  r->talker = chunk->talker;
  gst_ws_loop_invoke (&src->loop, reject_in_loop, r, g_free);
}

/* A chunk of another talker than the last: new caps if its format differs,
 * and a resync. FALSE when its caps are refused. */
static gboolean
stream_switch (GstWebsocketSrc * src, GstWsSrcChunk * chunk)
{
  GstCaps *current;
  gboolean ok = TRUE;

  if (chunk->talker == src->rejected_talker)
    return FALSE;
  current = gst_pad_get_current_caps (GST_BASE_SRC_PAD (src));
  if (current == NULL || !gst_caps_is_equal (current, chunk->caps)) {
    GST_INFO_OBJECT (src, "talker %u: %" GST_PTR_FORMAT, chunk->talker,
        chunk->caps);
    /* A refused caps event only shows when the buffer is pushed: ask. */
    ok = gst_pad_peer_query_accept_caps (GST_BASE_SRC_PAD (src), chunk->caps)
        && gst_base_src_set_caps (GST_BASE_SRC (src), chunk->caps);
    if (!ok)
      stream_reject (src, chunk);
  }
  gst_clear_caps (&current);
  if (!ok)
    return FALSE;
  src->stream_talker = chunk->talker;
  src->stream_rate = chunk->rate;
  src->stream_bpf = chunk->bpf;
  src->anchor = GST_CLOCK_TIME_NONE;
  return TRUE;
}

static GstClockTime
sample_time (GstWebsocketSrc * src, guint64 samples)
{
  return src->anchor + gst_util_uint64_scale_int (samples, GST_SECOND,
      src->stream_rate);
}

/* Restarts the timeline so that a buffer of @duration ends now. */
static void
stream_anchor (GstWebsocketSrc * src, GstClockTime now, GstClockTime duration)
{
  if (GST_CLOCK_TIME_IS_VALID (now))
    src->anchor = now > duration ? now - duration : 0;
  else
    src->anchor = src->next_pts;        /* no clock: carry on */
  src->samples = 0;
  src->discont = TRUE;
}

/* Timestamps raw audio from its sample count. FALSE when the buffer is too
 * late to be played and newer data is already waiting. */
static gboolean
stamp_audio (GstWebsocketSrc * src, GstBuffer * buf, gboolean more)
{
  guint64 frames = gst_buffer_get_size (buf) / src->stream_bpf;
  GstClockTime now = running_time_now (src), duration, latency, pts;

  GST_OBJECT_LOCK (src);
  latency = src->latency_ms * GST_MSECOND;
  GST_OBJECT_UNLOCK (src);
  duration = gst_util_uint64_scale_int (frames, GST_SECOND, src->stream_rate);
  if (!GST_CLOCK_TIME_IS_VALID (src->anchor)) {
    stream_anchor (src, now, duration);
  } else if (GST_CLOCK_TIME_IS_VALID (now)
      && now > sample_time (src, src->samples + frames) + latency) {
    GST_DEBUG_OBJECT (src, "%" GST_TIME_FORMAT " late, %s",
        GST_TIME_ARGS (now - sample_time (src, src->samples + frames)),
        more ? "dropping" : "resyncing");
    if (more) {
      src->samples += frames;
      src->offset += frames;
      src->discont = TRUE;
      return FALSE;
    }
    stream_anchor (src, now, duration);
  }
  pts = sample_time (src, src->samples);
  src->samples += frames;
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = sample_time (src, src->samples) - pts;
  GST_BUFFER_OFFSET (buf) = src->offset;
  src->offset += frames;
  GST_BUFFER_OFFSET_END (buf) = src->offset;
  src->next_pts = pts + GST_BUFFER_DURATION (buf);
  return TRUE;
}

/* Anything but raw audio: the running time of arrival. */
static void
stamp_arrival (GstWebsocketSrc * src, GstBuffer * buf, GstWsSrcChunk * chunk)
{
  if (!GST_CLOCK_TIME_IS_VALID (src->anchor)) {
    src->anchor = 0;
    src->discont = TRUE;
  }
  GST_BUFFER_PTS (buf) = chunk->arrival;
  GST_BUFFER_OFFSET (buf) = src->offset;
  src->offset += gst_buffer_get_size (buf);
  GST_BUFFER_OFFSET_END (buf) = src->offset;
}

/* The buffer for @chunk, or NULL when it is dropped. */
static GstBuffer *
stream_buffer (GstWebsocketSrc * src, GstWsSrcChunk * chunk, gboolean more)
{
  GstBuffer *buf = gst_buffer_new_wrapped_bytes (chunk->bytes);

  if (chunk->discont)
    src->anchor = GST_CLOCK_TIME_NONE;
  if (src->stream_rate == 0) {
    stamp_arrival (src, buf, chunk);
  } else if (!stamp_audio (src, buf, more)) {
    gst_buffer_unref (buf);
    return NULL;
  }
  if (src->discont) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    src->discont = FALSE;
  }
  return buf;
}

static GstFlowReturn
gst_websocket_src_create (GstPushSrc * psrc, GstBuffer ** outbuf)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (psrc);
  GstWsSrcChunk *chunk;
  GstFlowReturn ret;
  gboolean more;

  do {
    ret = queue_pop (src, &chunk, &more);
    if (ret != GST_FLOW_OK) {
      GST_DEBUG_OBJECT (src, "flushing");
      return ret;
    }
    *outbuf = NULL;
    if (chunk->talker == src->stream_talker || stream_switch (src, chunk))
      *outbuf = stream_buffer (src, chunk, more);
    chunk_free (chunk);
  } while (*outbuf == NULL);
  GST_LOG_OBJECT (src, "pushing %" GST_PTR_FORMAT, *outbuf);
  return GST_FLOW_OK;
}

/* ------------------------------------------------------------------------
 * Properties
 * ------------------------------------------------------------------------ */

static void
set_caps_property (GstWebsocketSrc * src, const GstCaps * caps)
{
  GstCaps *fixed;

  if (caps == NULL || gst_caps_is_any (caps) || gst_caps_is_empty (caps)) {
    if (caps != NULL)
      GST_WARNING_OBJECT (src, "caps must describe a format, using default");
    fixed = gst_caps_from_string (DEFAULT_CAPS);
  } else {
    fixed = gst_caps_copy (caps);
  }
  GST_OBJECT_LOCK (src);
  gst_caps_take (&src->caps, fixed);
  GST_OBJECT_UNLOCK (src);
}

static void
set_latency (GstWebsocketSrc * src, guint latency_ms)
{
  gboolean changed;

  GST_OBJECT_LOCK (src);
  changed = src->latency_ms != latency_ms;
  src->latency_ms = latency_ms;
  GST_OBJECT_UNLOCK (src);
  if (changed)
    gst_element_post_message (GST_ELEMENT (src),
        gst_message_new_latency (GST_OBJECT (src)));
}

static void
gst_websocket_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (object);

  if (gst_ws_settings_set_property (&src->settings, GST_OBJECT (src),
          prop_id, value))
    return;
  switch (prop_id) {
    case PROP_CAPS:
      set_caps_property (src, gst_value_get_caps (value));
      break;
    case PROP_LATENCY:
      set_latency (src, g_value_get_uint (value));
      break;
    case PROP_MAX_MESSAGE_SIZE:
      GST_OBJECT_LOCK (src);
      src->max_message_size = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (src);
      break;
    case PROP_TALKER_POLICY:
      GST_OBJECT_LOCK (src);
      src->talker_policy = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (src);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_websocket_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (object);

  if (gst_ws_settings_get_property (&src->settings, GST_OBJECT (src),
          prop_id, value))
    return;
  GST_OBJECT_LOCK (src);
  switch (prop_id) {
    case PROP_CAPS:
      gst_value_set_caps (value, src->caps);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, src->latency_ms);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint (value, src->max_message_size);
      break;
    case PROP_TALKER_POLICY:
      g_value_set_enum (value, src->talker_policy);
      break;
    case PROP_NUM_CLIENTS:
      g_value_set_uint (value, src->num_clients);
      break;
    case PROP_BYTES_RECEIVED:
      g_value_set_uint64 (value, src->bytes_received);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (src);
}

/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-websocketsink
 * @title: websocketsink
 * @see_also: websocketsrc, tcpserversink
 *
 * A WebSocket server that sends every buffer it renders to every connected
 * client as one binary message (with #GstWebsocketSink:merge-buffer-lists,
 * every buffer list as one message). Clients connect with a plain HTTP/1.1
 * upgrade on any path (unless #GstWebsocketSink:path is set), optionally
 * presenting a token; permessage-deflate is never negotiated. A new client
 * first receives the "streamheader" buffers of the caps (mpegtsmux puts
 * PAT/PMT there) and then the stream from the next buffer that is not a
 * delta unit.
 *
 * The server listens from the READY state on, so an application can hold the
 * pipeline in READY and start it when #GstWebsocketSink::client-connected
 * fires or a "websocketsink-clients" element message arrives on the bus.
 * With #GstWebsocketSink:uri set, the element instead connects to a remote
 * WebSocket server and sends its buffers there, reconnecting with backoff.
 *
 * Threading and ownership: libsoup and every client socket live in the
 * element's own thread with its own GMainContext. The streaming thread frames
 * each buffer once (the payload memory is kept, not copied), queues the
 * frame and wakes that thread, which writes the same bytes to every client
 * with non-blocking writes. Each client has a position in the shared list of
 * frames instead of a queue of its own; a client whose oldest unsent frame
 * is older than #GstWebsocketSink:client-queue-max-time (or more than
 * #GstWebsocketSink:client-queue-max-bytes behind) is skipped ahead or
 * disconnected with close code 1008, per #GstWebsocketSink:slow-client-policy,
 * so one slow client neither grows memory nor delays the others. A
 * connection that has not finished its upgrade within
 * #GstWebsocketSink:handshake-timeout is closed; a newcomer while the
 * process is out of file descriptors gets HTTP 503, and the connected
 * clients keep streaming.
 * Signals are emitted from the server thread.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 audiotestsrc is-live=true ! audioconvert ! \
 *     audio/x-raw,rate=44100,channels=1 ! twolamemp2enc ! mpegaudioparse ! \
 *     mpegtsmux alignment=7 ! websocketsink port=29788
 * ]| Serves an MP2 tone in MPEG-TS on ws://HOST:29788/, as JSMpeg expects.
 * |[
 * gst-launch-1.0 websocketsrc uri=ws://127.0.0.1:29788/ \
 *     caps="video/mpegts,systemstream=true,packetsize=188" ! tsdemux ! \
 *     mpegaudioparse ! mpg123audiodec ! audioconvert ! autoaudiosink
 * ]| Listens to it.
 * |[
 * gst-launch-1.0 audiotestsrc is-live=true ! audio/x-raw,format=F32LE,rate=48000,channels=1 ! \
 *     websocketsink uri="ws://127.0.0.1:29789/?rate=48000"
 * ]| Client mode: sends raw audio to a websocketsrc listening on 29789.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwebsocketelements.h"
#include "gstwebsocketsink.h"
#include "gstwsframe.h"

GST_DEBUG_CATEGORY_STATIC (websocket_sink_debug);
#define GST_CAT_DEFAULT websocket_sink_debug

#define DEFAULT_MAX_CLIENTS 0
#define DEFAULT_CLIENT_QUEUE_MAX_TIME GST_SECOND
#define DEFAULT_CLIENT_QUEUE_MAX_BYTES 0
#define DEFAULT_SLOW_CLIENT_POLICY GST_WS_SLOW_CLIENT_SKIP
#define DEFAULT_MERGE_BUFFER_LISTS FALSE
/* Frames waiting for the server thread; more means it cannot keep up and
 * the oldest are dropped rather than queued without bound. */
#define MAX_PENDING 256

enum
{
  PROP_MAX_CLIENTS = GST_WS_PROP_LAST,
  PROP_NUM_CLIENTS,
  PROP_CLIENT_QUEUE_MAX_TIME,
  PROP_CLIENT_QUEUE_MAX_BYTES,
  PROP_SLOW_CLIENT_POLICY,
  PROP_BYTES_SERVED,
  PROP_MERGE_BUFFER_LISTS,
  PROP_LAST
};

enum
{
  SIGNAL_CLIENT_CONNECTED,
  SIGNAL_CLIENT_DISCONNECTED,
  LAST_SIGNAL
};

static GParamSpec *properties[PROP_LAST];
static guint signals[LAST_SIGNAL];

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

#define gst_websocket_sink_parent_class parent_class
G_DEFINE_TYPE (GstWebsocketSink, gst_websocket_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE (websocketsink, "websocketsink", GST_RANK_NONE,
    GST_TYPE_WEBSOCKET_SINK);

static void gst_websocket_sink_finalize (GObject * object);
static void gst_websocket_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_websocket_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_websocket_sink_change_state (GstElement *
    element, GstStateChange transition);
static gboolean gst_websocket_sink_set_caps (GstBaseSink * bsink,
    GstCaps * caps);
static GstFlowReturn gst_websocket_sink_render_list (GstBaseSink * bsink,
    GstBufferList * list);
static GstFlowReturn gst_websocket_sink_render (GstBaseSink * bsink,
    GstBuffer * buffer);

GType
gst_ws_slow_client_policy_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_WS_SLOW_CLIENT_SKIP, "Skip the client ahead to the newest buffer",
        "skip"},
    {GST_WS_SLOW_CLIENT_DISCONNECT, "Close the client with code 1008",
        "disconnect"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstWsSlowClientPolicy", values));
  return type;
}

static void
gst_websocket_sink_class_init (GstWebsocketSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *basesink_class = GST_BASE_SINK_CLASS (klass);

  gobject_class->finalize = gst_websocket_sink_finalize;
  gobject_class->set_property = gst_websocket_sink_set_property;
  gobject_class->get_property = gst_websocket_sink_get_property;

  gst_ws_settings_install_properties (gobject_class);
  properties[PROP_MAX_CLIENTS] = g_param_spec_uint ("max-clients",
      "Max clients", "Clients served at once; more get HTTP 503 (0 = no limit)",
      0, G_MAXUINT, DEFAULT_MAX_CLIENTS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_NUM_CLIENTS] = g_param_spec_uint ("num-clients",
      "Number of clients", "Clients connected now (notifies on change)",
      0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT_QUEUE_MAX_TIME] =
      g_param_spec_uint64 ("client-queue-max-time", "Client queue max time",
      "How far (ns) a client may fall behind before the slow-client policy "
      "applies", GST_MSECOND, 60 * GST_SECOND, DEFAULT_CLIENT_QUEUE_MAX_TIME,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  properties[PROP_CLIENT_QUEUE_MAX_BYTES] =
      g_param_spec_uint64 ("client-queue-max-bytes", "Client queue max bytes",
      "How many bytes a client may fall behind before the slow-client "
      "policy applies (0 = only the time limit)", 0, G_MAXUINT64,
      DEFAULT_CLIENT_QUEUE_MAX_BYTES,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  properties[PROP_SLOW_CLIENT_POLICY] =
      g_param_spec_enum ("slow-client-policy", "Slow client policy",
      "What happens to a client that falls behind the queue limits",
      GST_TYPE_WS_SLOW_CLIENT_POLICY, DEFAULT_SLOW_CLIENT_POLICY,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  properties[PROP_BYTES_SERVED] = g_param_spec_uint64 ("bytes-served",
      "Bytes served", "Bytes written to all clients so far",
      0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MERGE_BUFFER_LISTS] =
      g_param_spec_boolean ("merge-buffer-lists", "Merge buffer lists",
      "Send each buffer list upstream pushes as one message (mpegtsmux "
      "alignment=0 pushes the TS packets of one frame as a list: one message "
      "a frame, without waiting for the next) instead of one per buffer",
      DEFAULT_MERGE_BUFFER_LISTS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  for (guint i = PROP_MAX_CLIENTS; i < PROP_LAST; i++)
    g_object_class_install_property (gobject_class, i, properties[i]);

  /**
   * GstWebsocketSink::client-connected:
   * @sink: the websocketsink
   * @peer: the client's address, "ip:port"
   *
   * A client completed the WebSocket upgrade (server thread).
   */
  signals[SIGNAL_CLIENT_CONNECTED] = g_signal_new ("client-connected",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * GstWebsocketSink::client-disconnected:
   * @sink: the websocketsink
   * @peer: the client's address, "ip:port"
   *
   * A client's connection ended (server thread).
   */
  signals[SIGNAL_CLIENT_DISCONNECTED] = g_signal_new ("client-disconnected",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class, "WebSocket sink",
      "Sink/Network", "Serve a stream to WebSocket clients, one binary "
      "message per buffer", "wsaudio developers");
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_websocket_sink_change_state);
  basesink_class->set_caps = GST_DEBUG_FUNCPTR (gst_websocket_sink_set_caps);
  basesink_class->render = GST_DEBUG_FUNCPTR (gst_websocket_sink_render);
  basesink_class->render_list =
      GST_DEBUG_FUNCPTR (gst_websocket_sink_render_list);

  gst_type_mark_as_plugin_api (GST_TYPE_WS_SLOW_CLIENT_POLICY, 0);
  GST_DEBUG_CATEGORY_INIT (websocket_sink_debug, "websocketsink", 0,
      "WebSocket server sink");
}

static gboolean
wakeup_dispatch (GSource * source, GSourceFunc callback, gpointer data)
{
  g_source_set_ready_time (source, -1);
  return callback (data);
}

static GSourceFuncs wakeup_funcs = { NULL, NULL, wakeup_dispatch, NULL };

static void
gst_websocket_sink_init (GstWebsocketSink * sink)
{
  gst_ws_settings_init (&sink->settings);
  sink->max_clients = DEFAULT_MAX_CLIENTS;
  sink->client_queue_max_time = DEFAULT_CLIENT_QUEUE_MAX_TIME;
  sink->client_queue_max_bytes = DEFAULT_CLIENT_QUEUE_MAX_BYTES;
  sink->slow_client_policy = DEFAULT_SLOW_CLIENT_POLICY;
  sink->merge_buffer_lists = DEFAULT_MERGE_BUFFER_LISTS;
  g_mutex_init (&sink->pending_lock);
  g_queue_init (&sink->pending);
  /* Live input wants each buffer out as soon as it exists. */
  gst_base_sink_set_sync (GST_BASE_SINK (sink), FALSE);
}

static void
gst_websocket_sink_finalize (GObject * object)
{
  GstWebsocketSink *sink = GST_WEBSOCKET_SINK (object);

  gst_ws_settings_clear (&sink->settings);
  g_mutex_clear (&sink->pending_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* Server thread: a client joined or left. */
static void
clients_changed (gpointer data, const gchar * peer, gboolean connected,
    guint count)
{
  GstWebsocketSink *sink = data;
  GstStructure *s;

  g_atomic_int_set (&sink->num_clients, count);
  GST_INFO_OBJECT (sink, "client %s %s, %u now", peer,
      connected ? "connected" : "disconnected", count);
  g_signal_emit (sink, signals[connected ? SIGNAL_CLIENT_CONNECTED :
          SIGNAL_CLIENT_DISCONNECTED], 0, peer);
  g_object_notify_by_pspec (G_OBJECT (sink), properties[PROP_NUM_CLIENTS]);
  s = gst_structure_new ("websocketsink-clients", "clients", G_TYPE_UINT,
      count, "peer", G_TYPE_STRING, peer, "connected", G_TYPE_BOOLEAN,
      connected, NULL);
  gst_element_post_message (GST_ELEMENT (sink),
      gst_message_new_element (GST_OBJECT (sink), s));
}

static guint
admit (gpointer data, SoupServerMessage * msg, GHashTable * query)
{
  GstWebsocketSink *sink = data;
  guint max;

  GST_OBJECT_LOCK (sink);
  max = sink->max_clients;
  GST_OBJECT_UNLOCK (sink);
  if (max > 0 && gst_ws_fanout_count (sink->fanout) >= max)
    return SOUP_STATUS_SERVICE_UNAVAILABLE;
  return 0;
}

static void
accepted (gpointer data, GIOStream * stream, GUri * uri, const gchar * peer,
    const gchar * origin, GHashTable * query)
{
  GstWebsocketSink *sink = data;

  gst_ws_fanout_add (sink->fanout, stream, peer);
}

static void
client_connected (gpointer data, SoupWebsocketConnection * conn)
{
  GstWebsocketSink *sink = data;

  sink->conn = g_object_ref (conn);
  clients_changed (sink, sink->settings.uri, TRUE, 1);
}

static void
client_disconnected (gpointer data, SoupWebsocketConnection * conn)
{
  GstWebsocketSink *sink = data;

  g_clear_object (&sink->conn);
  clients_changed (sink, sink->settings.uri, FALSE, 0);
}

static const GstWsServerHooks server_hooks = { admit, accepted };
static const GstWsClientHooks client_hooks =
    { client_connected, client_disconnected };

static void
send_to_server (GstWebsocketSink * sink, GstWsMessage * msg)
{
  gsize len;
  const guint8 *frame;

  /* Client mode: libsoup frames (and masks) the payload itself. */
  if (sink->conn == NULL
      || soup_websocket_connection_get_state (sink->conn) !=
      SOUP_WEBSOCKET_STATE_OPEN) {
    gst_ws_message_unref (msg);
    return;
  }
  frame = gst_ws_message_payload (msg, &len);
  soup_websocket_connection_send_binary (sink->conn, frame, len);
  gst_ws_message_unref (msg);
}

/* Server thread: takes what the streaming thread queued. */
static gboolean
dispatch_pending (gpointer data)
{
  GstWebsocketSink *sink = data;
  g_autoptr (GPtrArray) headers = NULL;
  GQueue batch = G_QUEUE_INIT;
  GstWsMessage *msg;

  g_mutex_lock (&sink->pending_lock);
  headers = g_steal_pointer (&sink->pending_headers);
  batch = sink->pending;
  g_queue_init (&sink->pending);
  g_mutex_unlock (&sink->pending_lock);

  if (headers && sink->fanout)
    gst_ws_fanout_set_headers (sink->fanout, headers);
  while ((msg = g_queue_pop_head (&batch)) != NULL) {
    if (sink->fanout)
      gst_ws_fanout_queue (sink->fanout, msg);
    else
      send_to_server (sink, msg);
  }
  if (sink->fanout) {
    guint64 sent;

    /* Everything queued in one pass: one writev per client. */
    gst_ws_fanout_flush (sink->fanout);
    sent = gst_ws_fanout_take_bytes_sent (sink->fanout);

    GST_OBJECT_LOCK (sink);
    sink->bytes_served += sent;
    GST_OBJECT_UNLOCK (sink);
  }
  return G_SOURCE_CONTINUE;
}

static void
hand_over (GstWebsocketSink * sink, GstWsMessage * msg, GPtrArray * headers)
{
  g_mutex_lock (&sink->pending_lock);
  if (headers) {
    g_clear_pointer (&sink->pending_headers, g_ptr_array_unref);
    sink->pending_headers = headers;
  }
  if (msg)
    g_queue_push_tail (&sink->pending, msg);
  if (sink->pending.length > MAX_PENDING) {
    GST_WARNING_OBJECT (sink, "server thread is behind: dropping a buffer");
    gst_ws_message_unref (g_queue_pop_head (&sink->pending));
  }
  if (sink->wakeup)
    g_source_set_ready_time (sink->wakeup, 0);
  g_mutex_unlock (&sink->pending_lock);
}

static gboolean
gst_websocket_sink_set_caps (GstBaseSink * bsink, GstCaps * caps)
{
  GstWebsocketSink *sink = GST_WEBSOCKET_SINK (bsink);
  const GValue *sh;
  GPtrArray *headers;
  guint i;

  sh = gst_structure_get_value (gst_caps_get_structure (caps, 0),
      "streamheader");
  headers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_ws_message_unref);
  for (i = 0; sh && GST_VALUE_HOLDS_ARRAY (sh)
      && i < gst_value_array_get_size (sh); i++) {
    const GValue *v = gst_value_array_get_value (sh, i);

    if (GST_VALUE_HOLDS_BUFFER (v))
      g_ptr_array_add (headers,
          gst_ws_message_new_from_buffer (gst_value_get_buffer (v)));
  }
  GST_DEBUG_OBJECT (sink, "%u stream header buffers", headers->len);
  hand_over (sink, NULL, headers);
  return TRUE;
}

static GstFlowReturn
gst_websocket_sink_render (GstBaseSink * bsink, GstBuffer * buffer)
{
  GstWebsocketSink *sink = GST_WEBSOCKET_SINK (bsink);
  GstWsMessage *msg;

  /* Nobody listens: no work, no memory. */
  if (g_atomic_int_get (&sink->num_clients) == 0)
    return GST_FLOW_OK;
  msg = gst_ws_message_new_from_buffer (buffer);
  hand_over (sink, msg, NULL);
  return GST_FLOW_OK;
}

/* One buffer of the list's memories, in order (referenced, not copied; the
 * one map that frames it joins them), flagged as its first buffer is: a
 * message is a sync point when it starts with one. */
static GstBuffer *
join_list (GstBufferList * list)
{
  guint i, n = gst_buffer_list_length (list);
  GstBuffer *first = gst_buffer_list_get (list, 0);
  GstBuffer *joined = gst_buffer_new ();

  gst_buffer_copy_into (joined, first, GST_BUFFER_COPY_FLAGS |
      GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
  for (i = 0; i < n; i++)
    gst_buffer_copy_into (joined, gst_buffer_list_get (list, i),
        GST_BUFFER_COPY_MEMORY, 0, -1);
  return joined;
}

static GstFlowReturn
gst_websocket_sink_render_list (GstBaseSink * bsink, GstBufferList * list)
{
  GstWebsocketSink *sink = GST_WEBSOCKET_SINK (bsink);
  GstFlowReturn ret = GST_FLOW_OK;
  gboolean merge;
  guint i, n = gst_buffer_list_length (list);

  GST_OBJECT_LOCK (sink);
  merge = sink->merge_buffer_lists;
  GST_OBJECT_UNLOCK (sink);
  if (merge && n > 1) {
    GstBuffer *joined = join_list (list);

    ret = gst_websocket_sink_render (bsink, joined);
    gst_buffer_unref (joined);
    return ret;
  }
  for (i = 0; i < n && ret == GST_FLOW_OK; i++)
    ret = gst_websocket_sink_render (bsink, gst_buffer_list_get (list, i));
  return ret;
}

static gpointer
start_fanout (gpointer data)
{
  GstWebsocketSink *sink = data;
  static const GstWsFanoutHooks hooks = { clients_changed };
  GstWsFanoutLimits limits;

  GST_OBJECT_LOCK (sink);
  limits.max_lag_us = sink->client_queue_max_time / GST_USECOND;
  limits.max_lag_bytes = sink->client_queue_max_bytes;
  limits.policy = sink->slow_client_policy;
  GST_OBJECT_UNLOCK (sink);
  sink->fanout = gst_ws_fanout_new (&hooks, sink);
  gst_ws_fanout_set_limits (sink->fanout, &limits);
  return NULL;
}

static gpointer
attach_wakeup (gpointer data)
{
  GstWebsocketSink *sink = data;
  GSource *source = g_source_new (&wakeup_funcs, sizeof (GSource));

  g_source_set_callback (source, dispatch_pending, sink, NULL);
  g_source_attach (source, sink->loop.context);
  g_mutex_lock (&sink->pending_lock);
  sink->wakeup = source;
  g_mutex_unlock (&sink->pending_lock);
  return NULL;
}

static gboolean
start (GstWebsocketSink * sink)
{
  gboolean client_mode;

  GST_OBJECT_LOCK (sink);
  client_mode = sink->settings.uri != NULL;
  GST_OBJECT_UNLOCK (sink);
  gst_ws_loop_start (&sink->loop, "websocketsink");
  gst_ws_loop_call (&sink->loop, attach_wakeup, sink);
  if (client_mode) {
    sink->client = gst_ws_client_new (GST_ELEMENT (sink), &sink->settings,
        &sink->loop, &client_hooks, sink);
    return gst_ws_client_start (sink->client);
  }
  gst_ws_loop_call (&sink->loop, start_fanout, sink);
  sink->server = gst_ws_server_new (GST_ELEMENT (sink), &sink->settings,
      &sink->loop, &server_hooks, sink);
  return gst_ws_server_start (sink->server);
}

static gpointer
stop_in_loop (gpointer data)
{
  GstWebsocketSink *sink = data;

  if (sink->server)
    gst_ws_server_stop (sink->server);
  if (sink->client)
    gst_ws_client_stop (sink->client);
  g_clear_pointer (&sink->fanout, gst_ws_fanout_free);
  g_mutex_lock (&sink->pending_lock);
  g_source_destroy (sink->wakeup);
  g_clear_pointer (&sink->wakeup, g_source_unref);
  g_queue_clear_full (&sink->pending, (GDestroyNotify) gst_ws_message_unref);
  g_clear_pointer (&sink->pending_headers, g_ptr_array_unref);
  g_mutex_unlock (&sink->pending_lock);
  return NULL;
}

static void
stop (GstWebsocketSink * sink)
{
  if (sink->loop.thread == NULL)
    return;
  /* Clients get 1001 "going away" from the fan-out as it is freed. */
  gst_ws_loop_call (&sink->loop, stop_in_loop, sink);
  gst_ws_loop_stop (&sink->loop);
  g_clear_pointer (&sink->server, gst_ws_server_free);
  g_clear_pointer (&sink->client, gst_ws_client_free);
  g_atomic_int_set (&sink->num_clients, 0);
}

static GstStateChangeReturn
gst_websocket_sink_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWebsocketSink *sink = GST_WEBSOCKET_SINK (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !start (sink)) {
    stop (sink);
    return GST_STATE_CHANGE_FAILURE;
  }
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    stop (sink);
  return ret;
}

static void
gst_websocket_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWebsocketSink *sink = GST_WEBSOCKET_SINK (object);

  if (gst_ws_settings_set_property (&sink->settings, GST_OBJECT (sink),
          prop_id, value))
    return;
  GST_OBJECT_LOCK (sink);
  switch (prop_id) {
    case PROP_MAX_CLIENTS:
      sink->max_clients = g_value_get_uint (value);
      break;
    case PROP_CLIENT_QUEUE_MAX_TIME:
      sink->client_queue_max_time = g_value_get_uint64 (value);
      break;
    case PROP_CLIENT_QUEUE_MAX_BYTES:
      sink->client_queue_max_bytes = g_value_get_uint64 (value);
      break;
    case PROP_SLOW_CLIENT_POLICY:
      sink->slow_client_policy = g_value_get_enum (value);
      break;
    case PROP_MERGE_BUFFER_LISTS:
      sink->merge_buffer_lists = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (sink);
}

static void
gst_websocket_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWebsocketSink *sink = GST_WEBSOCKET_SINK (object);

  if (gst_ws_settings_get_property (&sink->settings, GST_OBJECT (sink),
          prop_id, value))
    return;
  GST_OBJECT_LOCK (sink);
  switch (prop_id) {
    case PROP_MAX_CLIENTS:
      g_value_set_uint (value, sink->max_clients);
      break;
    case PROP_NUM_CLIENTS:
      g_value_set_uint (value, g_atomic_int_get (&sink->num_clients));
      break;
    case PROP_CLIENT_QUEUE_MAX_TIME:
      g_value_set_uint64 (value, sink->client_queue_max_time);
      break;
    case PROP_CLIENT_QUEUE_MAX_BYTES:
      g_value_set_uint64 (value, sink->client_queue_max_bytes);
      break;
    case PROP_SLOW_CLIENT_POLICY:
      g_value_set_enum (value, sink->slow_client_policy);
      break;
    case PROP_BYTES_SERVED:
      g_value_set_uint64 (value, sink->bytes_served);
      break;
    case PROP_MERGE_BUFFER_LISTS:
      g_value_set_boolean (value, sink->merge_buffer_lists);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (sink);
}

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
 * 400. A message that is not a whole number of sample frames is carried over
 * to the next one. Other caps than raw audio are timestamped with the
 * running time of arrival.
 *
 * Raw audio from a client that declares no rate (the browser front end
 * never does) has its rate inferred unless #GstWebsocketSrc:infer-rate is
 * off: the samples received are measured against the pipeline clock over
 * the first quarter second, snapped to the nearest standard rate (8000,
 * 16000, 22050, 24000, 32000, 44100 or 48000 Hz) and the caps renegotiated
 * when it is not the rate of the caps; the measurement goes on while the
 * client talks. #GstWebsocketSrc:inferred-rate and an INFO message on the
 * bus tell what was inferred.
 *
 * Raw audio is timestamped from its sample count on a timeline anchored to
 * the clock when a talker starts, so that a message may arrive up to
 * #GstWebsocketSrc:latency late without a gap (the jitter buffer; it is the
 * latency the element reports). With #GstWebsocketSrc:drift-correction
 * (F32LE or S16LE) the client's true rate is measured against the clock all
 * along and the audio resampled by the ratio of the two, so that the
 * latency from arrival to playback stays flat for hours whatever the
 * client's clock; when the latency grew all the same (the backlog a
 * stalled network delivers at once) the excess is cut with a crossfade, and
 * when nothing has arrived #GstWebsocketSrc:latency after it was due,
 * silence fills the gap and the stream resumes with the whole jitter
 * buffer ahead. Audio that reaches the streaming thread later than the
 * pipeline latency (how long a synchronising sink holds each buffer) plus
 * the jitter buffer is dropped while newer data waits, and the stream
 * resyncs with a DISCONT buffer. #GstWebsocketSrc:stats tells how it went.
 * A sink that synchronises gets the caps with the first talker's data,
 * others as the stream starts (see negotiate()). A sink that does not
 * synchronise (pulsesink sync=false) plays what it gets at once, so with
 * #GstWebsocketSrc:pace (the default) the element holds the jitter buffer
 * itself: each buffer of raw audio goes out when the clock reaches its
 * time plus the latency, and a burst that arrived late reaches the sink as
 * the steady stream the client sent; a buffer the element gets to later
 * than that by more than a quarter of the latency, at least 5 ms (a busy
 * machine, a sink holding the thread), is dropped and counted as late,
 * since the sink has run dry meanwhile and would otherwise keep it as
 * latency.
 *
 * Only one client, the talker, feeds the stream. With the default
 * #GstWebsocketSrc:talker-policy a new client takes over and the previous
 * one is closed; otherwise newcomers are closed with code 1013. A client that
 * leaves never ends the stream: the source waits for the next talker. A
 * client sending a message larger than #GstWebsocketSrc:max-message-size
 * (all its fragments together) is closed with code 1009, before more of it
 * is stored; invalid UTF-8 in a text message costs code 1007, a malformed
 * frame 1002; a connection that has not finished its upgrade, or a
 * message started and not finished, within #GstWebsocketSrc:handshake-timeout
 * is closed (1008 after the upgrade). Misbehaving clients only ever lose
 * their own connection.
 * Clients still connected when the element goes to NULL are closed with code
 * 1001.
 *
 * Threading and ownership: libsoup and every client connection live in the
 * element's own thread with its own GMainContext (gstwssrcclients.c). In
 * server mode libsoup only completes the upgrade; each connection is then a
 * GstWsPeer, the transport websocketsink uses too, which reads whole
 * messages up to the maximum size; in client mode it is libsoup's
 * connection. That thread aligns each message to whole sample frames,
 * stamps its arrival and appends it (its memory, not a copy) to a queue
 * bounded to about one second of the stream (gstwssrcqueue.c), dropping the
 * oldest data when full; it never waits for the streaming thread. The
 * streaming thread takes the queue in create(), waiting for data or for the
 * deadline of the jitter buffer on the pipeline clock, and runs the
 * timeline (gstwsaudiotiming.c: rate inference, drift and jitter, pure
 * logic); unlock() makes it return FLUSHING at once. Data arriving while
 * the element is not PLAYING is dropped, so a pipeline held in READY or
 * PAUSED accepts clients without building a backlog.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 websocketsrc port=29789 ! audioconvert ! audioresample ! \
 *     pulsesink
 * ]| Plays the microphone of the browser that connects to ws://HOST:29789/,
 * at the rate it runs at.
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

#include <gst/base/gstbasesink.h>

#include "gstwebsocketelements.h"
#include "gstwebsocketsrc.h"
#include "gstwssrcclients.h"

GST_DEBUG_CATEGORY (websocket_src_debug);
#define GST_CAT_DEFAULT websocket_src_debug

#define DEFAULT_CAPS "audio/x-raw,format=F32LE,rate=44100,channels=1," \
    "layout=interleaved"
#define DEFAULT_LATENCY_MS 40
#define DEFAULT_MAX_MESSAGE_SIZE 65536
#define DEFAULT_TALKER_POLICY GST_WS_TALKER_NEWEST
#define DEFAULT_INFER_RATE TRUE
#define DEFAULT_DRIFT_CORRECTION TRUE
#define DEFAULT_PACE TRUE

#define MAX_LATENCY_MS 10000
#define MAX_MESSAGE_SIZE (16 * 1024 * 1024)
/* The most data the hand-over queue holds (gstwssrcclients.c). */
#define QUEUE_MAX_TIME GST_SECOND
/* How long going to NULL waits for clients to answer the 1001 close. */
#define CLOSE_WAIT_MS 1000
/* Paced, a buffer the streaming thread gets to later than a quarter of the
 * jitter buffer, at least this, after its time plus the jitter buffer is
 * dropped (see stream_pace()). */
#define MIN_PACE_TOLERANCE (5 * GST_MSECOND)

enum
{
  PROP_CAPS = GST_WS_PROP_LAST,
  PROP_LATENCY,
  PROP_MAX_MESSAGE_SIZE,
  PROP_TALKER_POLICY,
  PROP_INFER_RATE,
  PROP_DRIFT_CORRECTION,
  PROP_PACE,
  PROP_NUM_CLIENTS,
  PROP_BYTES_RECEIVED,
  PROP_INFERRED_RATE,
  PROP_STATS,
  PROP_LAST
};

static GParamSpec *properties[PROP_LAST];

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

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
static gboolean gst_websocket_src_negotiate (GstBaseSrc * bsrc);
static gboolean gst_websocket_src_unlock (GstBaseSrc * bsrc);
static gboolean gst_websocket_src_unlock_stop (GstBaseSrc * bsrc);
static gboolean gst_websocket_src_query (GstBaseSrc * bsrc, GstQuery * query);
static gboolean gst_websocket_src_event (GstBaseSrc * bsrc, GstEvent * event);
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
      "Jitter buffer for raw audio, in milliseconds, reported as the "
      "minimum latency: a message may arrive this late without a gap; when "
      "nothing arrived this long after it was due, silence fills the gap",
      0, MAX_LATENCY_MS, DEFAULT_LATENCY_MS,
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
  properties[PROP_INFER_RATE] = g_param_spec_boolean ("infer-rate",
      "Infer rate", "Measure the sample rate of raw audio from a client that "
      "declares none against the clock and snap it to the nearest standard "
      "rate (8000 to 48000 Hz), renegotiating the caps; FALSE trusts the "
      "caps (applies from the next talker on)", DEFAULT_INFER_RATE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_DRIFT_CORRECTION] = g_param_spec_boolean
      ("drift-correction", "Drift correction", "Resample F32LE and S16LE "
      "audio by the measured ratio of the client's clock to the pipeline "
      "clock, so that the latency stays flat, and fill gaps with silence; "
      "FALSE passes the samples unchanged, timestamped from their count, and "
      "resyncs when they fall behind (applies from the next talker on)",
      DEFAULT_DRIFT_CORRECTION,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_PACE] = g_param_spec_boolean ("pace", "Pace",
      "When no sink downstream synchronises (sync=false), push raw audio "
      "when the clock reaches its time plus the latency, so that the sink "
      "gets a steady stream however the messages arrived, and drop what is "
      "more than a quarter of the latency (at least 5 ms) behind that; FALSE "
      "pushes it as soon as it arrives "
      "(an application processing it, not playing it)",
      DEFAULT_PACE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_NUM_CLIENTS] = g_param_spec_uint ("num-clients",
      "Number of clients", "Connected clients, not counting those being "
      "closed (at most one talker; notifies)", 0, G_MAXUINT, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES_RECEIVED] = g_param_spec_uint64 ("bytes-received",
      "Bytes received", "Payload bytes of the binary messages received from "
      "all clients since the element was created", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INFERRED_RATE] = g_param_spec_uint ("inferred-rate",
      "Inferred rate", "Sample rate inferred for the current talker, in Hz; "
      "0 while measuring, or when it declared its rate or infer-rate is off "
      "(notifies)", 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATS] = g_param_spec_boxed ("stats", "Statistics",
      "Timing of raw audio: for the current talker measured-rate (Hz against "
      "the pipeline clock), ratio (of the resampling), delay (ns the latest "
      "arrivals are early for the jitter buffer, 0 on target) and latency "
      "(ns from their arrival to their playback: the pipeline latency plus "
      "delay); since the element started silence (ns inserted), skipped (ns "
      "cut to bring the latency down), late (ns dropped as too late) and "
      "resyncs (new timelines)", GST_TYPE_STRUCTURE,
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
  basesrc_class->negotiate = GST_DEBUG_FUNCPTR (gst_websocket_src_negotiate);
  basesrc_class->unlock = GST_DEBUG_FUNCPTR (gst_websocket_src_unlock);
  basesrc_class->unlock_stop =
      GST_DEBUG_FUNCPTR (gst_websocket_src_unlock_stop);
  basesrc_class->query = GST_DEBUG_FUNCPTR (gst_websocket_src_query);
  basesrc_class->event = GST_DEBUG_FUNCPTR (gst_websocket_src_event);
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
  src->infer_rate = DEFAULT_INFER_RATE;
  src->drift_correction = DEFAULT_DRIFT_CORRECTION;
  src->pace = DEFAULT_PACE;
  src->pipeline_latency = GST_CLOCK_TIME_NONE;
  src->ratio = 1;
  g_cond_init (&src->conns_cond);
  gst_ws_src_queue_init (&src->queue);
  gst_ws_audio_timing_init (&src->timing);

  gst_base_src_set_live (GST_BASE_SRC (src), TRUE);
  gst_base_src_set_format (GST_BASE_SRC (src), GST_FORMAT_TIME);
}

static void
gst_websocket_src_finalize (GObject * object)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (object);

  gst_ws_settings_clear (&src->settings);
  gst_clear_caps (&src->caps);
  gst_clear_caps (&src->stream_caps);
  gst_ws_src_queue_clear (&src->queue);
  gst_ws_audio_timing_clear (&src->timing);
  g_cond_clear (&src->conns_cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

GstClockTime
gst_websocket_src_running_time (GstWebsocketSrc * src)
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
 * Start and stop (state-change thread)
 * ------------------------------------------------------------------------ */

static void
wait_for_closes (GstWebsocketSrc * src)
{
  gint64 deadline = g_get_monotonic_time () +
      CLOSE_WAIT_MS * G_TIME_SPAN_MILLISECOND;

  GST_OBJECT_LOCK (src);
  while (src->n_conns > 0 && g_cond_wait_until (&src->conns_cond,
          GST_OBJECT_GET_LOCK (src), deadline));
  GST_OBJECT_UNLOCK (src);
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
    gst_ws_src_clients_close_all (src);
    wait_for_closes (src);
  }
  gst_ws_src_clients_abort_all (src);
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
        &src->loop, &gst_ws_src_client_hooks, src);
    ok = gst_ws_client_start (src->client);
  } else {
    src->server = gst_ws_server_new (GST_ELEMENT (src), &src->settings,
        &src->loop, &gst_ws_src_server_hooks, src);
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
      gst_ws_src_queue_set_playing (&src->queue, TRUE);
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      gst_ws_src_queue_set_playing (&src->queue, FALSE);
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
  src->stream_raw = FALSE;
  src->offset = 0;
  src->discont = TRUE;
  src->pace_discont = FALSE;
  gst_ws_audio_timing_clear (&src->timing);
  gst_ws_audio_timing_init (&src->timing);
  GST_OBJECT_LOCK (src);
  src->pipeline_latency = GST_CLOCK_TIME_NONE;
  src->inferred_rate = 0;
  src->measured_rate = 0;
  src->ratio = 1;
  src->delay = 0;
  memset (&src->stats, 0, sizeof (src->stats));
  GST_OBJECT_UNLOCK (src);
  gst_ws_src_queue_set_flushing (&src->queue, FALSE);
  return TRUE;
}

/* Whether a sink downstream of @pad synchronises to the clock (through
 * bins and tees). */
static gboolean
downstream_synchronises (GstPad * pad, guint depth)
{
  GstPad *peer = gst_pad_get_peer (pad), *target;
  GstElement *element = NULL;
  GstIterator *it;
  GValue item = G_VALUE_INIT;
  gboolean sync = FALSE;

  while (peer != NULL && GST_IS_GHOST_PAD (peer)) {
    target = gst_ghost_pad_get_target (GST_GHOST_PAD (peer));
    gst_object_unref (peer);
    peer = target;
  }
  if (peer != NULL)
    element = gst_pad_get_parent_element (peer);
  if (element == NULL || depth > 32)
    goto done;
  if (GST_IS_BASE_SINK (element)) {
    sync = gst_base_sink_get_sync (GST_BASE_SINK (element));
    goto done;
  }
  it = gst_element_iterate_src_pads (element);
  while (!sync && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    sync = downstream_synchronises (g_value_get_object (&item), depth + 1);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
done:
  gst_clear_object (&element);
  gst_clear_object (&peer);
  return sync;
}

/* Downstream that synchronises gets the caps with the first talker's data
 * (stream_switch()), not when streaming starts: an audio sink sets its
 * device up when it gets caps, and one set up long before the first sample
 * maps it to the clock wrong (pulsesink with sync=true then stalled for
 * seconds). Downstream that does not synchronise gets them at once, so
 * that its device is running when someone talks (a PulseAudio stream takes
 * up to a second to start playing). */
static gboolean
gst_websocket_src_negotiate (GstBaseSrc * bsrc)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);

  src->downstream_sync = downstream_synchronises (GST_BASE_SRC_PAD (bsrc),
      0);
  if (src->downstream_sync) {
    GST_DEBUG_OBJECT (bsrc, "downstream synchronises: caps with the data");
    return TRUE;
  }
  return GST_BASE_SRC_CLASS (parent_class)->negotiate (bsrc);
}

static gboolean
gst_websocket_src_stop (GstBaseSrc * bsrc)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);

  gst_ws_src_queue_drop (&src->queue, 0);
  gst_ws_audio_timing_clear (&src->timing);
  gst_ws_audio_timing_init (&src->timing);
  GST_OBJECT_LOCK (src);
  gst_clear_caps (&src->stream_caps);
  GST_OBJECT_UNLOCK (src);
  return TRUE;
}

static gboolean
gst_websocket_src_unlock (GstBaseSrc * bsrc)
{
  gst_ws_src_queue_set_flushing (&GST_WEBSOCKET_SRC (bsrc)->queue, TRUE);
  return TRUE;
}

static gboolean
gst_websocket_src_unlock_stop (GstBaseSrc * bsrc)
{
  gst_ws_src_queue_set_flushing (&GST_WEBSOCKET_SRC (bsrc)->queue, FALSE);
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

static GstClockTime
jitter_buffer (GstWebsocketSrc * src)
{
  GstClockTime jitter;

  GST_OBJECT_LOCK (src);
  jitter = src->latency_ms * GST_MSECOND;
  GST_OBJECT_UNLOCK (src);
  return jitter;
}

static gboolean
gst_websocket_src_query (GstBaseSrc * bsrc, GstQuery * query)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);
  GstClockTime min;

  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return GST_BASE_SRC_CLASS (parent_class)->query (bsrc, query);
  min = jitter_buffer (src);
  /* Up to a second of data can wait in the queue. */
  gst_query_set_latency (query, TRUE, min, min + QUEUE_MAX_TIME);
  GST_DEBUG_OBJECT (src, "latency %" GST_TIME_FORMAT, GST_TIME_ARGS (min));
  return TRUE;
}

/* The pipeline latency is how long a synchronising sink holds each buffer:
 * audio that reaches the streaming thread later than that (and the jitter
 * buffer) cannot be played any more. */
static gboolean
gst_websocket_src_event (GstBaseSrc * bsrc, GstEvent * event)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (bsrc);
  GstClockTime latency;

  if (GST_EVENT_TYPE (event) == GST_EVENT_LATENCY) {
    gst_event_parse_latency (event, &latency);
    GST_DEBUG_OBJECT (src, "pipeline latency %" GST_TIME_FORMAT,
        GST_TIME_ARGS (latency));
    GST_OBJECT_LOCK (src);
    src->pipeline_latency = latency;
    GST_OBJECT_UNLOCK (src);
  }
  return GST_BASE_SRC_CLASS (parent_class)->event (bsrc, event);
}

static GstClockTime
pipeline_latency (GstWebsocketSrc * src)
{
  GstClockTime latency;

  GST_OBJECT_LOCK (src);
  latency = src->pipeline_latency;
  GST_OBJECT_UNLOCK (src);
  return latency;
}

/* Caps refused downstream: the talker goes, the stream keeps its caps. */
static void
stream_reject (GstWebsocketSrc * src, GstWsSrcChunk * chunk)
{
  GST_WARNING_OBJECT (src, "downstream refuses %" GST_PTR_FORMAT
      ", closing that client", chunk->caps);
  src->rejected_talker = chunk->talker;
  gst_ws_src_clients_reject (src, chunk->talker);
}

/* Sets @caps downstream; FALSE when they are refused. */
static gboolean
stream_set_caps (GstWebsocketSrc * src, GstCaps * caps)
{
  /* A refused caps event only shows when the buffer is pushed: ask. */
  return gst_pad_peer_query_accept_caps (GST_BASE_SRC_PAD (src), caps)
      && gst_base_src_set_caps (GST_BASE_SRC (src), caps);
}

static GstWsTimingFlags
timing_flags (GstWebsocketSrc * src, GstWsSrcChunk * chunk)
{
  GstWsTimingFlags flags = 0;

  GST_OBJECT_LOCK (src);
  if (src->infer_rate && chunk->infer)
    flags |= GST_WS_TIMING_INFER_RATE;
  if (src->drift_correction)
    flags |= GST_WS_TIMING_CORRECT_DRIFT;
  GST_OBJECT_UNLOCK (src);
  return flags;
}

/* A chunk of another talker than the last: new caps if its format differs,
 * and a new timeline. FALSE when its caps are refused. */
static gboolean
stream_switch (GstWebsocketSrc * src, GstWsSrcChunk * chunk)
{
  GstCaps *current;
  GstAudioInfo info;
  gboolean ok = TRUE;

  if (chunk->talker == src->rejected_talker)
    return FALSE;
  current = gst_pad_get_current_caps (GST_BASE_SRC_PAD (src));
  if (current == NULL || !gst_caps_is_equal (current, chunk->caps)) {
    GST_INFO_OBJECT (src, "talker %u: %" GST_PTR_FORMAT, chunk->talker,
        chunk->caps);
    ok = stream_set_caps (src, chunk->caps);
    if (!ok)
      stream_reject (src, chunk);
  }
  gst_clear_caps (&current);
  if (!ok)
    return FALSE;
  src->stream_talker = chunk->talker;
  src->stream_raw = chunk->rate != 0
      && gst_audio_info_from_caps (&info, chunk->caps);
  if (src->stream_raw)
    gst_ws_audio_timing_start (&src->timing, &info, jitter_buffer (src),
        timing_flags (src, chunk));
  else
    src->discont = TRUE;
  return TRUE;
}

/* Makes what the timeline found readable; tells of a rate inferred. */
static void
stream_publish (GstWebsocketSrc * src)
{
  GstWsAudioTiming *t = &src->timing;
  gdouble measured = gst_ws_audio_timing_measured_rate (t);
  guint before;

  GST_OBJECT_LOCK (src);
  before = src->inferred_rate;
  src->inferred_rate = t->inferred;
  src->measured_rate = measured;
  src->ratio = t->ratio;
  src->delay = t->delay;
  src->stats = t->stats;
  GST_OBJECT_UNLOCK (src);
  if (before == t->inferred)
    return;
  g_object_notify_by_pspec (G_OBJECT (src), properties[PROP_INFERRED_RATE]);
  if (t->inferred == 0)
    return;
  GST_INFO_OBJECT (src, "talker %u sends %u Hz (inferred: measured %.1f Hz)",
      src->stream_talker, t->inferred, measured);
  GST_ELEMENT_INFO (src, STREAM, FORMAT, ("The client sends %u Hz audio "
          "(inferred, measured %.1f Hz)", t->inferred, measured), (NULL));
}

/* Renegotiates when the timeline inferred another rate; FALSE when it did
 * not. */
static gboolean
stream_renegotiate (GstWebsocketSrc * src)
{
  guint rate = gst_ws_audio_timing_wanted_rate (&src->timing);
  GstCaps *caps;

  if (rate == 0)
    return FALSE;
  caps = gst_pad_get_current_caps (GST_BASE_SRC_PAD (src));
  if (caps != NULL) {
    caps = gst_caps_make_writable (caps);
    gst_caps_set_simple (caps, "rate", G_TYPE_INT, rate, NULL);
  }
  if (caps != NULL && stream_set_caps (src, caps)) {
    GST_INFO_OBJECT (src, "now %" GST_PTR_FORMAT, caps);
    gst_ws_audio_timing_set_rate (&src->timing, rate);
  } else {
    GST_WARNING_OBJECT (src, "downstream refuses the inferred rate %u Hz, "
        "keeping the caps", rate);
    gst_ws_audio_timing_refuse_rate (&src->timing);
  }
  gst_clear_caps (&caps);
  return TRUE;
}

/* Anything but raw audio: the running time of arrival. */
static GstBuffer *
stream_other (GstWebsocketSrc * src, GstWsSrcChunk * chunk)
{
  /* The buffer takes a reference of its own. */
  GstBuffer *buf = gst_buffer_new_wrapped_bytes (chunk->bytes);

  GST_BUFFER_PTS (buf) = chunk->arrival;
  GST_BUFFER_OFFSET (buf) = src->offset;
  src->offset += gst_buffer_get_size (buf);
  GST_BUFFER_OFFSET_END (buf) = src->offset;
  if (src->discont || chunk->discont) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    src->discont = FALSE;
  }
  return buf;
}

/* Takes @chunk; returns a buffer when it goes out as it is. */
static GstBuffer *
stream_chunk (GstWebsocketSrc * src, GstWsSrcChunk * chunk, gboolean more)
{
  GstClockTime late, now;
  guint resyncs;

  if (chunk->bytes == NULL) {
    GST_DEBUG_OBJECT (src, "talker %u left; silence %" GST_TIME_FORMAT
        ", skipped %" GST_TIME_FORMAT ", late %" GST_TIME_FORMAT
        ", resyncs %u, ratio %f", chunk->talker,
        GST_TIME_ARGS (src->timing.stats.silence),
        GST_TIME_ARGS (src->timing.stats.skipped),
        GST_TIME_ARGS (src->timing.stats.late), src->timing.stats.resyncs,
        src->timing.ratio);
    if (chunk->talker == src->stream_talker && src->stream_raw)
      gst_ws_audio_timing_drain (&src->timing);
    return NULL;
  }
  GST_LOG_OBJECT (src, "chunk of talker %u: %" G_GSIZE_FORMAT " bytes, "
      "arrived %" GST_TIME_FORMAT "%s", chunk->talker,
      g_bytes_get_size (chunk->bytes), GST_TIME_ARGS (chunk->arrival),
      chunk->discont ? ", discont" : "");
  if (chunk->talker != src->stream_talker && !stream_switch (src, chunk))
    return NULL;
  if (!src->stream_raw)
    return stream_other (src, chunk);
  gst_ws_audio_timing_set_jitter (&src->timing, jitter_buffer (src));
  resyncs = src->timing.stats.resyncs;
  late = src->timing.stats.late;
  now = gst_websocket_src_running_time (src);
  gst_ws_audio_timing_push (&src->timing, chunk->bytes, chunk->arrival,
      chunk->end_frame, now, pipeline_latency (src), more, chunk->discont);
  if (src->timing.stats.late > late)
    GST_DEBUG_OBJECT (src, "too late at %" GST_TIME_FORMAT " (arrived %"
        GST_TIME_FORMAT "): %s", GST_TIME_ARGS (now),
        GST_TIME_ARGS (chunk->arrival), more ? "dropped" : "resynced");
  else if (src->timing.stats.resyncs > resyncs)
    GST_DEBUG_OBJECT (src, "new timeline at %" GST_TIME_FORMAT,
        GST_TIME_ARGS (now));
  stream_publish (src);
  return NULL;
}

/* The next chunk, or the deadline of the jitter buffer. */
static GstWsSrcQueueResult
stream_wait (GstWebsocketSrc * src, GstWsSrcChunk ** chunk, gboolean * more)
{
  GstClockTime deadline = gst_ws_audio_timing_deadline (&src->timing);
  GstClock *clock = NULL;
  GstWsSrcQueueResult result;

  if (GST_CLOCK_TIME_IS_VALID (deadline)
      && (clock = gst_element_get_clock (GST_ELEMENT (src))) != NULL)
    deadline += gst_element_get_base_time (GST_ELEMENT (src));
  result = gst_ws_src_queue_pop (&src->queue, clock, deadline, chunk, more);
  gst_clear_object (&clock);
  return result;
}

/* A sink that does not synchronise plays what it gets at once, so a burst
 * that arrived late would reach it late too, after it ran dry. With pace
 * the jitter buffer is held here instead: each buffer of audio goes out
 * when the clock reaches its time plus the jitter buffer, when a
 * synchronising sink would play it, and the sink gets the steady stream
 * the talker sent.
 *
 * Such a sink keeps only a small cushion of its own (pulsesink: one or two
 * of its latency-time segments in PulseAudio). When the streaming thread
 * gets to a buffer later than that (the machine was busy, the sink held
 * the thread, PulseAudio ran late), the sink has run dry and played
 * silence; pulsesink then starts writing one or two segments ahead of what
 * PulseAudio plays, so audio pushed late would stack on top of a fresh
 * cushion and stay there as latency for good (the stream is paced from
 * then on). So a buffer more than a quarter of the jitter buffer (at
 * least MIN_PACE_TOLERANCE: the thread's own scheduling) behind its time
 * is dropped, the stream goes on with the first one in time (DISCONT), and
 * the sink's cushion never grows by more than that. */
typedef enum
{
  PACE_ON_TIME,
  PACE_TOO_LATE,
  PACE_FLUSHING,
} PaceResult;

static PaceResult
stream_pace (GstWebsocketSrc * src, GstBuffer * buf)
{
  GstClockTime pts = GST_BUFFER_PTS (buf), jitter, due, base, now;
  GstClock *clock;
  gboolean pace, ok;

  GST_OBJECT_LOCK (src);
  pace = src->pace;
  GST_OBJECT_UNLOCK (src);
  if (!pace || src->downstream_sync || !src->stream_raw
      || !GST_CLOCK_TIME_IS_VALID (pts)
      || (clock = gst_element_get_clock (GST_ELEMENT (src))) == NULL)
    return PACE_ON_TIME;
  jitter = jitter_buffer (src);
  due = pts + jitter;
  base = gst_element_get_base_time (GST_ELEMENT (src));
  ok = gst_ws_src_queue_sleep (&src->queue, clock, due + base);
  now = gst_clock_get_time (clock);
  gst_object_unref (clock);
  if (!ok)
    return PACE_FLUSHING;
  if (now > base + due + MAX (jitter / 4, MIN_PACE_TOLERANCE)) {
    GST_DEBUG_OBJECT (src, "%" GST_TIME_FORMAT " behind, dropping %"
        GST_PTR_FORMAT, GST_TIME_ARGS (now - base - due), buf);
    return PACE_TOO_LATE;
  }
  return PACE_ON_TIME;
}

static GstFlowReturn
gst_websocket_src_create (GstPushSrc * psrc, GstBuffer ** outbuf)
{
  GstWebsocketSrc *src = GST_WEBSOCKET_SRC (psrc);
  GstWsSrcChunk *chunk;
  gboolean more;
  GstClockTime skipped = src->timing.stats.skipped;

again:
  while ((*outbuf = gst_ws_audio_timing_pull (&src->timing)) == NULL) {
    if (stream_renegotiate (src))
      continue;
    switch (stream_wait (src, &chunk, &more)) {
      case GST_WS_SRC_QUEUE_FLUSHING:
        GST_DEBUG_OBJECT (src, "flushing");
        return GST_FLOW_FLUSHING;
      case GST_WS_SRC_QUEUE_TIMEOUT:
        GST_LOG_OBJECT (src, "nothing arrived in time, filling the gap");
        *outbuf = gst_ws_audio_timing_fill (&src->timing,
            gst_websocket_src_running_time (src), pipeline_latency (src));
        stream_publish (src);
        break;
      case GST_WS_SRC_QUEUE_OK:
        *outbuf = stream_chunk (src, chunk, more);
        gst_ws_src_chunk_free (chunk);
        break;
    }
    if (*outbuf != NULL)
      break;
  }
  if (src->timing.stats.skipped > skipped)
    GST_DEBUG_OBJECT (src, "cut %" GST_TIME_FORMAT " of excess latency",
        GST_TIME_ARGS (src->timing.stats.skipped - skipped));
  switch (stream_pace (src, *outbuf)) {
    case PACE_FLUSHING:
      GST_DEBUG_OBJECT (src, "flushing");
      gst_clear_buffer (outbuf);
      return GST_FLOW_FLUSHING;
    case PACE_TOO_LATE:
      /* Too late to be played: counted as such, the next goes out. */
      if (GST_BUFFER_DURATION_IS_VALID (*outbuf))
        src->timing.stats.late += GST_BUFFER_DURATION (*outbuf);
      stream_publish (src);
      src->pace_discont = TRUE;
      gst_clear_buffer (outbuf);
      goto again;
    case PACE_ON_TIME:
      break;
  }
  if (src->pace_discont && src->stream_raw) {
    *outbuf = gst_buffer_make_writable (*outbuf);
    GST_BUFFER_FLAG_SET (*outbuf, GST_BUFFER_FLAG_DISCONT);
  }
  src->pace_discont = FALSE;
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
    case PROP_INFER_RATE:
      GST_OBJECT_LOCK (src);
      src->infer_rate = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (src);
      break;
    case PROP_DRIFT_CORRECTION:
      GST_OBJECT_LOCK (src);
      src->drift_correction = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (src);
      break;
    case PROP_PACE:
      GST_OBJECT_LOCK (src);
      src->pace = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (src);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

/* Object lock held. */
static GstStructure *
stats_structure (GstWebsocketSrc * src)
{
  GstClockTime pipeline = src->pipeline_latency, jitter =
      src->latency_ms * GST_MSECOND;

  /* A pipeline whose sinks do not synchronise has a latency of 0. */
  if (!GST_CLOCK_TIME_IS_VALID (pipeline) || pipeline < jitter)
    pipeline = jitter;
  return gst_structure_new ("application/x-websocketsrc-stats",
      "inferred-rate", G_TYPE_UINT, src->inferred_rate,
      "measured-rate", G_TYPE_DOUBLE, src->measured_rate,
      "ratio", G_TYPE_DOUBLE, src->ratio,
      "delay", G_TYPE_INT64, src->delay,
      "latency", G_TYPE_INT64, (GstClockTimeDiff) pipeline + src->delay,
      "silence", G_TYPE_UINT64, src->stats.silence,
      "skipped", G_TYPE_UINT64, src->stats.skipped,
      "late", G_TYPE_UINT64, src->stats.late,
      "resyncs", G_TYPE_UINT, src->stats.resyncs, NULL);
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
    case PROP_INFER_RATE:
      g_value_set_boolean (value, src->infer_rate);
      break;
    case PROP_DRIFT_CORRECTION:
      g_value_set_boolean (value, src->drift_correction);
      break;
    case PROP_PACE:
      g_value_set_boolean (value, src->pace);
      break;
    case PROP_INFERRED_RATE:
      g_value_set_uint (value, src->inferred_rate);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, stats_structure (src));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (src);
}

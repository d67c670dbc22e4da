/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WEBSOCKET_SRC_H__
#define __GST_WEBSOCKET_SRC_H__

#include <gst/audio/audio.h>
#include <gst/base/gstpushsrc.h>
#include <libsoup/soup.h>

#include "gstwsaudiotiming.h"
#include "gstwsclient.h"
#include "gstwsloop.h"
#include "gstwsserver.h"
#include "gstwssettings.h"
#include "gstwssrcqueue.h"

G_BEGIN_DECLS

#define GST_TYPE_WEBSOCKET_SRC (gst_websocket_src_get_type ())
G_DECLARE_FINAL_TYPE (GstWebsocketSrc, gst_websocket_src, GST,
    WEBSOCKET_SRC, GstPushSrc)

/**
 * GstWsTalkerPolicy:
 * @GST_WS_TALKER_NEWEST: a new client takes over; the previous talker is
 *   closed (a reloaded browser tab reconnects before its old socket dies)
 * @GST_WS_TALKER_FIRST: the current talker keeps the stream; newcomers are
 *   closed with code 1013 "try again later"
 */
typedef enum
{
  GST_WS_TALKER_NEWEST,
  GST_WS_TALKER_FIRST,
} GstWsTalkerPolicy;

#define GST_TYPE_WS_TALKER_POLICY (gst_ws_talker_policy_get_type ())
GType gst_ws_talker_policy_get_type (void);

typedef struct _GstWsSrcConn GstWsSrcConn;

struct _GstWebsocketSrc
{
  GstPushSrc parent;

  /* Properties and what the other threads read, under the object lock. */
  GstWsSettings settings;
  GstCaps *caps;
  guint latency_ms;
  guint max_message_size;
  GstWsTalkerPolicy talker_policy;
  gboolean infer_rate;
  gboolean drift_correction;
  gboolean pace;
  guint num_clients;
  guint64 bytes_received;
  GstCaps *stream_caps;         /* what was last pushed downstream */
  GstClockTime pipeline_latency;        /* from the LATENCY event */
  guint inferred_rate;
  gdouble measured_rate;
  gdouble ratio;
  GstClockTimeDiff delay;
  GstWsTimingStats stats;
  guint n_conns;                /* mirrors conns, for the shutdown wait */
  GCond conns_cond;

  /* The server thread and what only it touches. */
  GstWsLoop loop;
  GstWsServer *server;
  GstWsClient *client;
  GList *conns;                 /* GstWsSrcConn, open or closing */
  GstWsSrcConn *talker;
  guint last_talker_id;

  /* Server thread -> streaming thread. */
  GstWsSrcQueue queue;

  /* Streaming thread only. */
  guint stream_talker;
  guint rejected_talker;
  gboolean stream_raw;
  gboolean downstream_sync;     /* a sink downstream synchronises */
  GstWsAudioTiming timing;
  guint64 offset;               /* of other caps */
  gboolean discont;             /* of other caps */
  gboolean pace_discont;        /* paced audio was dropped before the next */
};

G_END_DECLS

#endif /* __GST_WEBSOCKET_SRC_H__ */

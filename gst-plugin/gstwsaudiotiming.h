/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_AUDIO_TIMING_H__
#define __GST_WS_AUDIO_TIMING_H__

#include <gst/audio/audio.h>

#include "gstwsrateestimator.h"
#include "gstwsstretch.h"

G_BEGIN_DECLS

/* The timeline of one talker's raw audio: which running time each sample
 * is played at, and what comes out when the network or the sender's clock
 * does not keep to it. Pure logic, driven by websocketsrc's streaming
 * thread: it hands in each chunk with its arrival time and the current
 * running time; no clock, no locking, no element.
 *
 * Jitter: a chunk is placed so that it arrives J (the jitter buffer, the
 * latency websocketsrc reports) before the sink needs its first sample,
 * less its own duration: at the start of a talker, a chunk ends on the
 * timeline when it arrived. A chunk may then arrive up to J late without a
 * gap. For each chunk the "error" is how much earlier it arrived than that
 * target; its lower envelope over the last two seconds is what the stream
 * keeps at zero (the latest arrivals just on target; bursts arrive early,
 * which costs nothing). When no data has come J after it was due, 10 ms of
 * silence go out instead, and the next chunk resumes J ahead again; an
 * envelope more than max (J, 20 ms) early for 0.3 s (the backlog a stalled
 * network delivers at once) is cut at once, with a crossfade: a gap is
 * filled and resynced, never accumulated.
 *
 * Drift: the sender's rate is measured against the clock continuously
 * (GstWsRateEstimator); the audio is resampled by the ratio of that rate to
 * the nominal one (GstWsStretch), times a small correction (at most 0.5 %)
 * proportional to the envelope, so that the latency stays flat however the
 * two clocks drift.
 *
 * Lateness: a sink that synchronises holds each buffer until its time plus
 * the pipeline latency, so audio is too late to be played only when the
 * streaming thread gets to it later than that plus J; then it is dropped
 * while newer data is waiting, and the timeline resyncs (DISCONT) on the
 * newest. After data was lost upstream (the hand-over queue overflowed),
 * the same. A sink that does not synchronise has no such margin: paced by
 * websocketsrc (stream_pace() in gstwebsocketsrc.c), output it gets to
 * more than J/4 (at least 5 ms) after its time plus J is dropped there,
 * since such a sink has run dry meanwhile and would keep the late audio as
 * latency.
 *
 * Rate inference: a talker that declared no rate has its rate measured
 * over its first quarter second and snapped to the nearest standard rate
 * (within 2 %); measuring goes on, and a rate more than 4 % off after a
 * second is inferred again. The caller renegotiates the caps.
 *
 * Formats other than F32LE and S16LE, or no drift correction, or no clock:
 * timestamps come from the sample count alone, and late chunks resync the
 * timeline as above.
 *
 * Output buffers carry PTS, DURATION, OFFSET(_END) and DISCONT on the
 * first after a resync. */

typedef enum
{
  GST_WS_TIMING_INFER_RATE = 1 << 0,
  GST_WS_TIMING_CORRECT_DRIFT = 1 << 1,
} GstWsTimingFlags;

typedef struct
{
  GstClockTime silence;         /* inserted */
  GstClockTime skipped;         /* dropped to bring the latency down */
  GstClockTime late;            /* dropped because too late to be played */
  guint resyncs;                /* new timelines, one per talker at least */
} GstWsTimingStats;

#define GST_WS_ENVELOPE_BUCKETS 20

/* Minimum of the errors per 100 ms of arrival time. */
typedef struct
{
  GstClockTime start[GST_WS_ENVELOPE_BUCKETS];
  GstClockTimeDiff min[GST_WS_ENVELOPE_BUCKETS];
  guint n;
  guint last;
  GstClockTime since;           /* first arrival since the reset */
} GstWsEnvelope;

typedef struct
{
  GstAudioInfo info;            /* what goes out */
  GstClockTime jitter;
  GstWsTimingFlags flags;
  gboolean stretching;
  gboolean active;              /* a talker is on */

  /* The timeline. */
  GstClockTime anchor;          /* NONE: at the next chunk */
  guint64 out_frames;           /* since the anchor */
  GstClockTime end;             /* of the last output, NONE before */
  guint64 offset;
  gboolean discont;
  GQueue out;                   /* GstBuffer, ready */

  /* The sender. */
  GstWsRateEstimator est;
  guint inferred;
  guint wanted_rate;

  /* Drift and jitter. */
  GstWsEnvelope env;
  GstWsStretch st;
  gboolean have_st;
  gdouble ratio;
  gdouble measured_ratio;
  gboolean underrun;
  gboolean settle;              /* drop any excess at the next chunk */
  gboolean resync_pending;      /* data was lost: resume from the newest */
  gboolean followup;            /* cut what a cut left */
  gboolean more;                /* more input was queued at the last push */
  GstClockTimeDiff skip_requested;
  GstClockTimeDiff delay;       /* the envelope, for stats */
  GstWsTimingStats stats;
} GstWsAudioTiming;

/* Whether drift correction can resample @info: F32LE or S16LE. */
G_GNUC_INTERNAL
gboolean gst_ws_audio_timing_can_stretch (const GstAudioInfo * info);

G_GNUC_INTERNAL
void gst_ws_audio_timing_init (GstWsAudioTiming * t);

G_GNUC_INTERNAL
void gst_ws_audio_timing_clear (GstWsAudioTiming * t);

/* A new talker whose messages carry @info. @jitter: the jitter buffer. */
G_GNUC_INTERNAL
void gst_ws_audio_timing_start (GstWsAudioTiming * t,
    const GstAudioInfo * info, GstClockTime jitter, GstWsTimingFlags flags);

G_GNUC_INTERNAL
void gst_ws_audio_timing_set_jitter (GstWsAudioTiming * t,
    GstClockTime jitter);

/* Takes @bytes, whole frames of the talker that arrived at @arrival
 * (running time, NONE without a clock); @end_frame: frames it sent up to
 * the end of them. @now: running time (or NONE); @latency: the pipeline's;
 * @more: newer data is waiting; @discont: data was lost before these. */
G_GNUC_INTERNAL
void gst_ws_audio_timing_push (GstWsAudioTiming * t, GBytes * bytes,
    GstClockTime arrival, guint64 end_frame, GstClockTime now,
    GstClockTime latency, gboolean more, gboolean discont);

/* The next buffer that can go out, or NULL. */
G_GNUC_INTERNAL
GstBuffer *gst_ws_audio_timing_pull (GstWsAudioTiming * t);

/* Running time by which the next output is due, after which
 * gst_ws_audio_timing_fill() fills the gap; NONE when nothing is due. */
G_GNUC_INTERNAL
GstClockTime gst_ws_audio_timing_deadline (GstWsAudioTiming * t);

/* The deadline passed without data: lets out what is held back, else
 * silence; at @now (running time) when silence that late would not be
 * played any more (@latency as in push()). */
G_GNUC_INTERNAL
GstBuffer *gst_ws_audio_timing_fill (GstWsAudioTiming * t, GstClockTime now,
    GstClockTime latency);

/* The talker left: pull() returns the rest of its audio; nothing is due
 * until the next start. */
G_GNUC_INTERNAL
void gst_ws_audio_timing_drain (GstWsAudioTiming * t);

/* A rate inferred for the talker that differs from the output's, or 0.
 * The caller renegotiates and says how it went. Call when pull() has
 * nothing left, so that no buffer of the old rate is pending. */
G_GNUC_INTERNAL
guint gst_ws_audio_timing_wanted_rate (const GstWsAudioTiming * t);

G_GNUC_INTERNAL
void gst_ws_audio_timing_set_rate (GstWsAudioTiming * t, guint rate);

G_GNUC_INTERNAL
void gst_ws_audio_timing_refuse_rate (GstWsAudioTiming * t);

/* The talker's rate as measured against the clock (0: not yet). */
G_GNUC_INTERNAL
gdouble gst_ws_audio_timing_measured_rate (GstWsAudioTiming * t);

G_END_DECLS

#endif /* __GST_WS_AUDIO_TIMING_H__ */

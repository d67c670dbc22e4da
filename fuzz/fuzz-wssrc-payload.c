/* wsaudio — fuzz targets
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* What websocketsrc does with the payloads of its talker, through the pure
 * parts it is built of, the way the element drives them: each message cut
 * to whole frames with the rest carried over (gstwssrcpayload.c), handed
 * over with its arrival time through the bounded queue (gstwssrcqueue.c),
 * then placed on the timeline, resampled against drift, cut or filled
 * (gstwsaudiotiming.c, gstwsrateestimator.c, gstwsstretch.c), with rate
 * inference and renegotiation as gst_websocket_src_create() does them.
 *
 * Input: the format of the talker (format, channels, rate), the jitter
 * buffer, flags and the pipeline latency, then a script of events:
 * messages of any size and content arriving after any delay, the
 * streaming thread catching up (or not), time passing without data,
 * talkers leaving and coming back. Checks, besides memory safety and
 * undefined behaviour: every buffer holds whole frames, timestamps are
 * valid with a clock, and nothing grows without bound. */
#include <gst/audio/audio.h>

#include "gstwsaudiotiming.h"
#include "gstwssrcpayload.h"
#include "gstwssrcqueue.h"
#include "fuzz-common.h"

static const GstAudioFormat formats[] = { GST_AUDIO_FORMAT_F32LE,
  GST_AUDIO_FORMAT_S16LE, GST_AUDIO_FORMAT_S24LE, GST_AUDIO_FORMAT_U8
};

static const guint rates[] = { 44100, 48000, 8000, 16000, 22050, 24000,
  32000, 96000, 192000, 768000, 1, 7
};

static const GstClockTime latencies[] = { 0, 20 * GST_MSECOND,
  200 * GST_MSECOND, GST_CLOCK_TIME_NONE
};

/* Bytes of messages, and fills (1 KiB each), a run may make: enough for
 * seconds of audio, little enough for thousands of runs a second. */
#define RUN_BUDGET (1024 * 1024)

/* The element's hand-over limit: a second of audio. */
#define QUEUE_SECONDS 1

typedef struct
{
  GstAudioInfo info;
  GstCaps *caps;
  guint bpf;
  GstClockTime jitter;
  GstClockTime latency;
  GstWsTimingFlags flags;
  gboolean clock;               /* FALSE: arrival and now are NONE */
  gboolean accept_rates;        /* downstream takes an inferred rate */

  GstClockTime now;
  guint talker;                 /* of the connection, 0 when gone */
  guint last_talker;
  guint stream_talker;
  GByteArray *carry;
  guint64 frames;
  GstWsSrcQueue queue;
  GstWsAudioTiming timing;
  guint64 out_frames;
  gsize budget;                 /* message bytes and fills left to this run */
} Sim;

static GstClockTime
clock_now (Sim * s)
{
  return s->clock ? s->now : GST_CLOCK_TIME_NONE;
}

/* Server thread: gstwssrcclients.c hand_over(). */
static void
hand_over (Sim * s, GBytes * bytes)
{
  GstWsSrcChunk *chunk;
  guint dropped;
  gboolean first_drop;

  chunk = gst_ws_src_chunk_new (bytes, s->caps, s->talker,
      GST_AUDIO_INFO_RATE (&s->info), s->bpf,
      (s->flags & GST_WS_TIMING_INFER_RATE) != 0, clock_now (s), &s->frames);
  g_assert (gst_ws_src_queue_push (&s->queue, chunk,
          (gsize) GST_AUDIO_INFO_RATE (&s->info) * s->bpf * QUEUE_SECONDS,
          &dropped, &first_drop));
}

static void
message (Sim * s, const guint8 * data, gsize len)
{
  GBytes *message = g_bytes_new (data, len);
  GBytes *aligned;

  if (s->talker == 0) {
    s->talker = ++s->last_talker;
    g_byte_array_set_size (s->carry, 0);
    s->frames = 0;
  }
  aligned = gst_ws_src_align_frames (s->carry, s->bpf, message);
  g_assert (s->carry->len < s->bpf);
  if (aligned != NULL) {
    g_assert (g_bytes_get_size (aligned) % s->bpf == 0);
    hand_over (s, aligned);
  }
  g_bytes_unref (message);
}

static void
check_buffer (Sim * s, GstBuffer * buf)
{
  gsize size = gst_buffer_get_size (buf);

  g_assert (size > 0 && size % s->bpf == 0);
  if (s->clock)
    g_assert (GST_BUFFER_PTS_IS_VALID (buf));
  s->out_frames += size / s->bpf;
  gst_buffer_unref (buf);
}

/* Streaming thread: gst_websocket_src_create() minus the waiting. */
static void
pull_all (Sim * s)
{
  GstBuffer *buf;
  guint rate;

  for (;;) {
    if ((buf = gst_ws_audio_timing_pull (&s->timing)) != NULL) {
      check_buffer (s, buf);
      continue;
    }
    rate = gst_ws_audio_timing_wanted_rate (&s->timing);
    if (rate == 0)
      break;
    if (s->accept_rates)
      gst_ws_audio_timing_set_rate (&s->timing, rate);
    else
      gst_ws_audio_timing_refuse_rate (&s->timing);
  }
}

/* gstwebsocketsrc.c stream_chunk(), for raw audio. */
static void
stream_chunk (Sim * s, GstWsSrcChunk * chunk, gboolean more)
{
  if (chunk->bytes == NULL) {
    if (chunk->talker == s->stream_talker)
      gst_ws_audio_timing_drain (&s->timing);
    return;
  }
  if (chunk->talker != s->stream_talker) {
    s->stream_talker = chunk->talker;
    gst_ws_audio_timing_start (&s->timing, &s->info, s->jitter, s->flags);
  }
  gst_ws_audio_timing_set_jitter (&s->timing, s->jitter);
  gst_ws_audio_timing_push (&s->timing, chunk->bytes, chunk->arrival,
      chunk->end_frame, clock_now (s), s->latency, more, chunk->discont);
}

static void
catch_up (Sim * s, guint max)
{
  GstWsSrcChunk *chunk;
  gboolean more;

  while (max-- > 0 && !g_queue_is_empty (&s->queue.chunks)) {
    g_assert (gst_ws_src_queue_pop (&s->queue, NULL, GST_CLOCK_TIME_NONE,
            &chunk, &more) == GST_WS_SRC_QUEUE_OK);
    stream_chunk (s, chunk, more);
    gst_ws_src_chunk_free (chunk);
    pull_all (s);
  }
}

/* Time passes; whatever fell due without data is filled, as when the
 * queue's pop times out. */
static void
advance (Sim * s, GstClockTime by)
{
  GstClockTime deadline;
  guint n;

  s->now += by;
  pull_all (s);
  if (!s->clock)
    return;
  /* The sink paces the real element; a bound here only keeps a run
   * short. */
  for (n = 0; n < 1000 && s->budget >= 1024; n++) {
    GstBuffer *buf;

    s->budget -= 1024;
    deadline = gst_ws_audio_timing_deadline (&s->timing);
    if (!GST_CLOCK_TIME_IS_VALID (deadline) || deadline > s->now)
      break;
    buf = gst_ws_audio_timing_fill (&s->timing, s->now, s->latency);
    if (buf != NULL)
      check_buffer (s, buf);
    pull_all (s);
  }
}

static void
sim_init (Sim * s, FuzzInput * in)
{
  guint b = fuzz_take_u8 (in), r = fuzz_take_u16 (in), f;
  guint channels = fuzz_take_u8 (in) % 8 + 1;
  guint rate = r & 0x8000 ? (r & 0x7fff) + 1 : rates[r % G_N_ELEMENTS (rates)];

  memset (s, 0, sizeof (*s));
  gst_audio_info_set_format (&s->info, formats[b % G_N_ELEMENTS (formats)],
      rate, channels, NULL);
  s->caps = gst_audio_info_to_caps (&s->info);
  s->bpf = GST_AUDIO_INFO_BPF (&s->info);
  s->jitter = fuzz_take_u8 (in) * 4 * GST_MSECOND;
  f = fuzz_take_u8 (in);
  if (f & 1)
    s->flags |= GST_WS_TIMING_INFER_RATE;
  if (f & 2)
    s->flags |= GST_WS_TIMING_CORRECT_DRIFT;
  s->clock = !(f & 4);
  s->accept_rates = !(f & 8);
  s->latency = latencies[(f >> 4) % G_N_ELEMENTS (latencies)];
  s->now = s->clock ? (f >> 6) * GST_SECOND : 0;
  s->budget = RUN_BUDGET;
  s->carry = g_byte_array_new ();
  gst_ws_src_queue_init (&s->queue);
  gst_ws_src_queue_set_playing (&s->queue, TRUE);
  gst_ws_audio_timing_init (&s->timing);
}

static void
sim_clear (Sim * s)
{
  gst_ws_audio_timing_clear (&s->timing);
  gst_ws_src_queue_clear (&s->queue);
  g_byte_array_unref (s->carry);
  gst_caps_unref (s->caps);
}

/* A message: 2 bytes of size, 2 of delay since the last event (in
 * 100 µs), a byte of pattern length and the pattern, repeated to the size. */
static void
op_message (Sim * s, FuzzInput * in, guint8 * scratch)
{
  gsize size = fuzz_take_u16 (in) % 16384, n, i;
  GstClockTime delay = fuzz_take_u16 (in) * 100 * GST_USECOND;
  const guint8 *pattern = fuzz_take_bytes (in, fuzz_take_u8 (in), &n);

  size = MIN (size, s->budget);
  s->budget -= size;
  for (i = 0; i < size; i++)
    scratch[i] = n > 0 ? pattern[i % n] : i;
  advance (s, delay);
  message (s, scratch, size);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t len)
{
  static guint8 scratch[16384];
  FuzzInput in = { data, len };
  Sim s;
  guint ops = 0;

  sim_init (&s, &in);
  while (in.len > 0 && ops++ < 4096) {
    guint op = fuzz_take_u8 (&in);

    switch (op % 8) {
      case 0:
      case 1:
      case 2:
        op_message (&s, &in, scratch);
        catch_up (&s, op >> 3);
        break;
      case 3:                  /* the streaming thread catches up */
        catch_up (&s, G_MAXUINT);
        break;
      case 4:                  /* time passes without data */
        advance (&s, fuzz_take_u16 (&in) * 100 * GST_USECOND);
        catch_up (&s, op >> 3);
        break;
      case 5:                  /* the talker leaves */
        if (s.talker != 0) {
          hand_over (&s, NULL);
          s.talker = 0;
        }
        break;
      case 6:                  /* the latency property changes */
        s.jitter = fuzz_take_u8 (&in) * 4 * GST_MSECOND;
        break;
      case 7:                  /* the stream restarts (flush, or READY) */
        catch_up (&s, G_MAXUINT);
        gst_ws_audio_timing_clear (&s.timing);
        gst_ws_audio_timing_init (&s.timing);
        s.stream_talker = 0;
        break;
    }
  }
  catch_up (&s, G_MAXUINT);
  advance (&s, GST_SECOND);
  sim_clear (&s);
  return 0;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

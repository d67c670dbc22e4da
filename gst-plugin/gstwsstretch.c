/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>

#include "gstwsstretch.h"

#define CROSSFADE_MS 10
#define SEARCH_MS 12
#define FADE_IN_MS 5

void
gst_ws_stretch_init (GstWsStretch * st, GstAudioFormat format,
    guint channels, guint rate)
{
  memset (st, 0, sizeof (*st));
  st->format = format;
  st->channels = MAX (channels, 1);
  st->rate = MAX (rate, 1000);
  st->cap = 1024;
  st->buf = g_new (gfloat, st->cap * st->channels);
  gst_ws_stretch_reset (st);
}

void
gst_ws_stretch_clear (GstWsStretch * st)
{
  g_clear_pointer (&st->buf, g_free);
}

void
gst_ws_stretch_reset (GstWsStretch * st)
{
  memset (st->buf, 0, st->channels * sizeof (gfloat));
  st->len = 1;
  st->pos = 1;
  st->ratio = 1;
  st->skip = 0;
  st->fade = 0;
}

void
gst_ws_stretch_set_ratio (GstWsStretch * st, gdouble ratio)
{
  st->ratio = ratio;
}

static guint
ms_frames (GstWsStretch * st, guint ms)
{
  return st->rate * ms / 1000;
}

static gfloat *
frame (GstWsStretch * st, gsize i)
{
  return st->buf + i * st->channels;
}

static void
reserve (GstWsStretch * st, gsize n_frames)
{
  if (st->len + n_frames <= st->cap)
    return;
  while (st->cap < st->len + n_frames)
    st->cap *= 2;
  st->buf = g_renew (gfloat, st->buf, st->cap * st->channels);
}

static gfloat
read_sample (GstWsStretch * st, const guint8 * data)
{
  if (st->format == GST_AUDIO_FORMAT_S16LE)
    return (gint16) GST_READ_UINT16_LE (data) / 32768.0f;
  return GST_READ_FLOAT_LE (data);
}

static void
write_sample (GstWsStretch * st, guint8 * data, gfloat value)
{
  if (st->format == GST_AUDIO_FORMAT_S16LE) {
    gfloat s = roundf (value * 32768.0f);

    GST_WRITE_UINT16_LE (data, (guint16) (gint16) CLAMP (s, -32768, 32767));
  } else {
    GST_WRITE_FLOAT_LE (data, value);
  }
}

static guint
sample_size (GstWsStretch * st)
{
  return st->format == GST_AUDIO_FORMAT_S16LE ? 2 : 4;
}

void
gst_ws_stretch_push (GstWsStretch * st, const guint8 * data, gsize n_frames)
{
  guint size = sample_size (st), fade_len = ms_frames (st, FADE_IN_MS), c;
  gsize i;

  reserve (st, n_frames);
  for (i = 0; i < n_frames; i++) {
    gfloat *f = frame (st, st->len + i);
    gfloat gain = 1;

    if (st->fade > 0) {
      gain = 1 - (gfloat) st->fade / (fade_len + 1);
      st->fade--;
    }
    for (c = 0; c < st->channels; c++, data += size)
      f[c] = read_sample (st, data) * gain;
  }
  st->len += n_frames;
}

void
gst_ws_stretch_push_silence (GstWsStretch * st, gsize n_frames)
{
  reserve (st, n_frames);
  memset (frame (st, st->len), 0, n_frames * st->channels * sizeof (gfloat));
  st->len += n_frames;
  st->fade = ms_frames (st, FADE_IN_MS);
}

gdouble
gst_ws_stretch_pending (const GstWsStretch * st)
{
  return st->len - st->pos - st->skip;
}

gboolean
gst_ws_stretch_is_idle (const GstWsStretch * st)
{
  return st->ratio == 1 && st->pos == st->len && st->skip == 0 && st->fade == 0;
}

void
gst_ws_stretch_passed (GstWsStretch * st, const guint8 * data, gsize n_frames)
{
  g_return_if_fail (gst_ws_stretch_is_idle (st));
  if (n_frames == 0)
    return;
  st->len = 0;
  gst_ws_stretch_push (st, data + (n_frames - 1) * st->channels *
      sample_size (st), 1);
  st->pos = 1;
}

void
gst_ws_stretch_request_skip (GstWsStretch * st, gsize n_frames)
{
  st->skip = n_frames;
}

void
gst_ws_stretch_cancel_skip (GstWsStretch * st)
{
  st->skip = 0;
}

/* Mono correlation of @w frames at @a with @w frames at @b, normalised by
 * the energy at @b. */
static gdouble
match (GstWsStretch * st, gsize a, gsize b, gsize w)
{
  gdouble ab = 0, bb = 1e-9;
  gsize j;
  guint c;

  for (j = 0; j < w; j++) {
    gfloat x = 0, y = 0;

    for (c = 0; c < st->channels; c++) {
      x += frame (st, a + j)[c];
      y += frame (st, b + j)[c];
    }
    ab += x * y;
    bb += y * y;
  }
  return ab / sqrt (bb);
}

/* Drops the requested skip: returns the frames dropped. The cut may be up
 * to half the search span shorter or longer, where the signal after it
 * best continues the signal before. Without enough input it waits (0) if
 * @wait, else cuts what the input allows (or nothing, if too little). */
static gsize
splice (GstWsStretch * st, gboolean wait)
{
  gsize fade = ms_frames (st, CROSSFADE_MS), half = ms_frames (st,
      SEARCH_MS) / 2;
  gsize at = (gsize) st->pos + 1, k, best, lo, hi;
  gdouble score, best_score = -G_MAXDOUBLE;
  gsize j;
  guint c;

  if (st->len < at + st->skip + half + fade + 2) {
    if (wait)
      return 0;
    st->skip = st->len > at + 2 * half + fade + 2 ?
        st->len - at - half - fade - 2 : 0;
    if (st->skip < 2 * half)
      return st->skip = 0;
  }
  lo = MAX (st->skip / 2, st->skip > half ? st->skip - half : 1);
  hi = st->skip + half;
  best = st->skip;
  for (k = lo; k <= hi; k++) {
    score = match (st, at, at + k, fade);
    if (score > best_score) {
      best_score = score;
      best = k;
    }
  }
  for (j = 0; j < fade; j++) {
    gfloat w = (gfloat) (j + 1) / (fade + 1);
    gfloat *from = frame (st, at + j), *to = frame (st, at + best + j);

    for (c = 0; c < st->channels; c++)
      to[c] = (1 - w) * from[c] + w * to[c];
  }
  memmove (frame (st, at), frame (st, at + best),
      (st->len - at - best) * st->channels * sizeof (gfloat));
  st->len -= best;
  st->skip = 0;
  return best;
}

static gfloat
cubic (gfloat xm1, gfloat x0, gfloat x1, gfloat x2, gfloat t)
{
  gfloat c1 = 0.5f * (x1 - xm1);
  gfloat c2 = xm1 - 2.5f * x0 + 2 * x1 - 0.5f * x2;
  gfloat c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);

  return ((c3 * t + c2) * t + c1) * t + x0;
}

/* Whether the output frame at the read position can be computed. */
static gboolean
can_read (GstWsStretch * st)
{
  gsize i = (gsize) st->pos;

  return st->pos == i ? i < st->len : i + 2 < st->len;
}

static void
read_frame (GstWsStretch * st, guint8 * out)
{
  gsize i = (gsize) st->pos;
  gfloat t = st->pos - i;
  guint size = sample_size (st), c;

  for (c = 0; c < st->channels; c++, out += size) {
    if (t == 0)
      write_sample (st, out, frame (st, i)[c]);
    else
      write_sample (st, out, cubic (frame (st, i - 1)[c], frame (st, i)[c],
              frame (st, i + 1)[c], frame (st, i + 2)[c], t));
  }
}

/* Keeps one frame before the read position. */
static void
compact (GstWsStretch * st)
{
  gsize drop = (gsize) st->pos - 1;

  if (drop == 0)
    return;
  memmove (st->buf, frame (st, drop), (st->len - drop) * st->channels *
      sizeof (gfloat));
  st->len -= drop;
  st->pos -= drop;
}

/* Output frames up to the input frame @end. */
static GstBuffer *
read_until (GstWsStretch * st, gdouble end, gsize * n_frames)
{
  gsize bpf = st->channels * sample_size (st), max, n = 0;
  GstBuffer *buf;
  GstMapInfo map;

  *n_frames = 0;
  if (!can_read (st) || st->pos >= end)
    return NULL;
  max = (end - st->pos) / MIN (st->ratio, 1.0) + 2;
  buf = gst_buffer_new_allocate (NULL, max * bpf, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  while (n < max && st->pos < end && can_read (st)) {
    read_frame (st, map.data + n * bpf);
    st->pos += st->ratio;
    n++;
  }
  gst_buffer_unmap (buf, &map);
  gst_buffer_set_size (buf, n * bpf);
  compact (st);
  *n_frames = n;
  return buf;
}

GstBuffer *
gst_ws_stretch_pull (GstWsStretch * st, gboolean wait, gsize * n_frames,
    gsize * skipped)
{
  *n_frames = 0;
  *skipped = 0;
  if (st->skip > 0) {
    *skipped = splice (st, wait);
    if (*skipped == 0 && st->skip > 0)
      return NULL;
  }
  return read_until (st, st->len, n_frames);
}

GstBuffer *
gst_ws_stretch_drain (GstWsStretch * st, gsize * n_frames)
{
  gdouble end = st->len;
  GstBuffer *buf;

  st->skip = 0;
  /* What the interpolation needs after the last frame. */
  gst_ws_stretch_push_silence (st, 2);
  buf = read_until (st, end, n_frames);
  gst_ws_stretch_reset (st);
  return buf;
}

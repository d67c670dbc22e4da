/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstwsframe.h"

/* Writes a FIN frame header for @payload_len bytes; returns its length. */
guint
gst_ws_frame_header (guint8 * out, guint8 opcode, guint64 payload_len)
{
  guint i;

  out[0] = 0x80 | (opcode & 0x0f);
  if (payload_len < 126) {
    out[1] = payload_len;
    return 2;
  }
  if (payload_len <= G_MAXUINT16) {
    out[1] = 126;
    out[2] = payload_len >> 8;
    out[3] = payload_len & 0xff;
    return 4;
  }
  out[1] = 127;
  for (i = 0; i < 8; i++)
    out[2 + i] = (payload_len >> (56 - 8 * i)) & 0xff;
  return 10;
}

GBytes *
gst_ws_frame_control (guint8 opcode, const guint8 * payload, gsize len)
{
  guint8 frame[2 + GST_WS_MAX_CONTROL_PAYLOAD];
  guint hlen;

  len = MIN (len, GST_WS_MAX_CONTROL_PAYLOAD);
  hlen = gst_ws_frame_header (frame, opcode, len);
  if (len > 0)
    memcpy (frame + hlen, payload, len);
  return g_bytes_new (frame, hlen + len);
}

GBytes *
gst_ws_frame_close (gushort code, const gchar * reason)
{
  guint8 payload[GST_WS_MAX_CONTROL_PAYLOAD];
  gsize rlen = reason ? MIN (strlen (reason), sizeof (payload) - 2) : 0;

  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  if (rlen > 0)
    memcpy (payload + 2, reason, rlen);
  return gst_ws_frame_control (GST_WS_OP_CLOSE, payload, 2 + rlen);
}

void
gst_ws_frame_reader_init (GstWsFrameReader * reader)
{
  memset (reader, 0, sizeof (*reader));
  reader->need = 2;
}

static gboolean
fail (GstWsFrameReader * reader, GstWsEvent * event)
{
  reader->failed = TRUE;
  event->type = GST_WS_EVENT_ERROR;
  event->code = GST_WS_CLOSE_PROTOCOL_ERROR;
  return FALSE;
}

/* Validates the first two header bytes and works out the header length. */
static gboolean
parse_start (GstWsFrameReader * r, GstWsEvent * event)
{
  guint8 b0 = r->header[0], b1 = r->header[1];
  gboolean fin = (b0 & 0x80) != 0;
  guint len7 = b1 & 0x7f;

  r->opcode = b0 & 0x0f;
  /* No extension was negotiated, so RSV bits are errors; clients mask. */
  if ((b0 & 0x70) != 0 || (b1 & 0x80) == 0)
    return fail (r, event);
  if (r->opcode & 0x8) {
    if (r->opcode > GST_WS_OP_PONG || !fin || len7 > 125)
      return fail (r, event);
  } else if (r->opcode > GST_WS_OP_BINARY) {
    return fail (r, event);
  } else if ((r->opcode == GST_WS_OP_CONTINUATION) != r->in_message) {
    return fail (r, event);
  } else {
    r->in_message = !fin;
  }
  r->need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
  return TRUE;
}

static gboolean
parse_length (GstWsFrameReader * r, GstWsEvent * event)
{
  guint len7 = r->header[1] & 0x7f;
  guint64 len = len7;
  guint i, n = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;

  if (n > 0)
    for (len = 0, i = 0; i < n; i++)
      len = (len << 8) | r->header[2 + i];
  if (len >> 63)
    return fail (r, event);
  r->remaining = len;
  r->pos = 0;
  return TRUE;
}

static void
finish_control (GstWsFrameReader * r, GstWsEvent * event)
{
  const guint8 *mask = r->header + r->need - 4;
  guint i, len = r->pos;

  for (i = 0; i < len; i++)
    r->control[i] ^= mask[i % 4];
  event->payload = r->control;
  event->len = len;
  if (r->opcode == GST_WS_OP_PING) {
    event->type = GST_WS_EVENT_PING;
  } else if (r->opcode == GST_WS_OP_PONG) {
    event->type = GST_WS_EVENT_PONG;
  } else if (len == 1) {
    fail (r, event);
  } else {
    event->type = GST_WS_EVENT_CLOSE;
    event->code = len >= 2 ? (r->control[0] << 8 | r->control[1])
        : GST_WS_CLOSE_NO_STATUS;
  }
}

/* Consumes bytes of @data up to the end of the next event (or all of it);
 * returns how many. A reader that reported an error consumes nothing more. */
gsize
gst_ws_frame_reader_feed (GstWsFrameReader * r, const guint8 * data,
    gsize len, GstWsEvent * event)
{
  gsize used = 0, n;

  event->type = GST_WS_EVENT_NONE;
  while (used < len && !r->failed) {
    if (r->have < r->need) {
      n = MIN (r->need - r->have, len - used);
      memcpy (r->header + r->have, data + used, n);
      r->have += n;
      used += n;
      if (r->have == 2 && !parse_start (r, event))
        return used;
      if (r->have == r->need && !parse_length (r, event))
        return used;
      if (r->have < r->need || r->remaining > 0)
        continue;
    } else {
      n = MIN (r->remaining, len - used);
      if (r->opcode & 0x8)
        memcpy (r->control + r->pos, data + used, n);
      r->pos += n;
      r->remaining -= n;
      used += n;
      if (r->remaining > 0)
        continue;
    }
    /* A whole frame is in. */
    if (r->opcode & 0x8)
      finish_control (r, event);
    r->have = 0;
    r->need = 2;
    if (event->type != GST_WS_EVENT_NONE)
      return used;
  }
  return used;
}

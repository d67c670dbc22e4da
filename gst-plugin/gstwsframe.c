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

void
gst_ws_frame_init (GstWsFrame * frame, guint8 opcode, GBytes * payload)
{
  frame->payload = payload;
  frame->header_len = gst_ws_frame_header (frame->header, opcode,
      g_bytes_get_size (payload));
}

void
gst_ws_frame_init_close (GstWsFrame * frame, gushort code, const gchar * reason)
{
  guint8 payload[GST_WS_MAX_CONTROL_PAYLOAD];
  gsize rlen = reason ? MIN (strlen (reason), sizeof (payload) - 2) : 0;

  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  if (rlen > 0)
    memcpy (payload + 2, reason, rlen);
  gst_ws_frame_init (frame, GST_WS_OP_CLOSE, g_bytes_new (payload, 2 + rlen));
}

void
gst_ws_frame_clear (GstWsFrame * frame)
{
  g_clear_pointer (&frame->payload, g_bytes_unref);
}

gsize
gst_ws_frame_size (const GstWsFrame * frame)
{
  return frame->header_len + g_bytes_get_size (frame->payload);
}

void
gst_ws_frame_reader_init (GstWsFrameReader * reader, gsize max_message)
{
  memset (reader, 0, sizeof (*reader));
  reader->need = 2;
  reader->max_message = max_message;
}

static void
drop_message (GstWsFrameReader * r)
{
  g_clear_pointer (&r->message, g_free);
  r->message_len = 0;
  r->message_alloc = 0;
  r->message_opcode = 0;
}

void
gst_ws_frame_reader_clear (GstWsFrameReader * reader)
{
  drop_message (reader);
}

void
gst_ws_event_clear (GstWsEvent * event)
{
  g_clear_pointer (&event->message, g_bytes_unref);
  event->type = GST_WS_EVENT_NONE;
}

static gboolean
fail (GstWsFrameReader * r, GstWsEvent * event, gushort code)
{
  r->failed = TRUE;
  drop_message (r);
  event->type = GST_WS_EVENT_ERROR;
  event->code = code;
  return FALSE;
}

/* UTF-8 as RFC 3629 has it; unlike g_utf8_validate(), U+0000 is valid. */
static gboolean
utf8_valid (const guint8 * data, gsize len)
{
  const guint8 *nul;

  if (len == 0)
    return TRUE;
  while ((nul = memchr (data, 0, len)) != NULL) {
    if (!g_utf8_validate_len ((const gchar *) data, nul - data, NULL))
      return FALSE;
    len -= nul + 1 - data;
    data = nul + 1;
  }
  return g_utf8_validate_len ((const gchar *) data, len, NULL);
}

/* One byte of a text message that is skipped rather than stored, so that
 * invalid UTF-8 costs 1007 there too (RFC 6455 8.1); RFC 3629's table of
 * well-formed sequences. */
static gboolean
utf8_step (GstWsFrameReader * r, guint8 b)
{
  if (r->utf8_need > 0) {
    if (b < r->utf8_lo || b > r->utf8_hi)
      return FALSE;
    r->utf8_need--;
    r->utf8_lo = 0x80;
    r->utf8_hi = 0xbf;
    return TRUE;
  }
  r->utf8_lo = 0x80;
  r->utf8_hi = 0xbf;
  if (b < 0x80)
    return TRUE;
  if (b >= 0xc2 && b <= 0xdf)
    r->utf8_need = 1;
  else if (b >= 0xe0 && b <= 0xef)
    r->utf8_need = 2;
  else if (b >= 0xf0 && b <= 0xf4)
    r->utf8_need = 3;
  else
    return FALSE;
  if (b == 0xe0)
    r->utf8_lo = 0xa0;
  else if (b == 0xed)
    r->utf8_hi = 0x9f;
  else if (b == 0xf0)
    r->utf8_lo = 0x90;
  else if (b == 0xf4)
    r->utf8_hi = 0x8f;
  return TRUE;
}

/* The codes an endpoint may send (RFC 6455 7.4, and the IANA registry). */
static gboolean
close_code_valid (gushort code)
{
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
      || (code >= 3000 && code <= 4999);
}

/* Validates the first two header bytes and works out the header length. */
static gboolean
parse_start (GstWsFrameReader * r, GstWsEvent * event)
{
  guint8 b0 = r->header[0], b1 = r->header[1];
  guint len7 = b1 & 0x7f;

  r->opcode = b0 & 0x0f;
  r->fin = (b0 & 0x80) != 0;
  /* No extension was negotiated, so RSV bits are errors; clients mask. */
  if ((b0 & 0x70) != 0 || (b1 & 0x80) == 0)
    return fail (r, event, GST_WS_CLOSE_PROTOCOL_ERROR);
  if (r->opcode & 0x8) {
    if (r->opcode > GST_WS_OP_PONG || !r->fin || len7 > 125)
      return fail (r, event, GST_WS_CLOSE_PROTOCOL_ERROR);
  } else if (r->opcode > GST_WS_OP_BINARY
      || (r->opcode == GST_WS_OP_CONTINUATION) != (r->message_opcode != 0)) {
    return fail (r, event, GST_WS_CLOSE_PROTOCOL_ERROR);
  } else if (r->opcode != GST_WS_OP_CONTINUATION) {
    r->message_opcode = r->opcode;
    r->utf8_need = 0;
  }
  r->need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
  return TRUE;
}

/* Makes room for @len more bytes of the open message: exactly what a
 * single-frame message needs, doubling for fragments, never past the max. */
static void
reserve (GstWsFrameReader * r, guint64 len)
{
  gsize need = r->message_len + len;

  if (need <= r->message_alloc)
    return;
  if (r->fin && r->message_len == 0)
    r->message_alloc = need;
  else
    r->message_alloc = MIN (MAX (need, 2 * r->message_alloc), r->max_message);
  r->message = g_realloc (r->message, r->message_alloc);
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
    return fail (r, event, GST_WS_CLOSE_PROTOCOL_ERROR);
  r->remaining = len;
  r->pos = 0;
  if ((r->opcode & 0x8) || r->max_message == 0)
    return TRUE;
  /* Refused before its payload arrives: nothing past the limit is kept. */
  if (len > r->max_message - r->message_len)
    return fail (r, event, GST_WS_CLOSE_TOO_BIG);
  reserve (r, len);
  return TRUE;
}

static gsize
read_header (GstWsFrameReader * r, const guint8 * data, gsize len,
    GstWsEvent * event)
{
  gsize n = MIN (r->need - r->have, len);

  memcpy (r->header + r->have, data, n);
  r->have += n;
  if (r->have == 2 && !parse_start (r, event))
    return n;
  if (r->have == r->need)
    parse_length (r, event);
  return n;
}

/* Unmasks payload bytes into the control buffer or the message, or skips
 * them (checking skipped text). */
static gsize
read_payload (GstWsFrameReader * r, const guint8 * data, gsize len,
    GstWsEvent * event)
{
  const guint8 *mask = r->header + r->need - 4;
  gsize n = MIN (r->remaining, len), i;
  guint8 *out = NULL;

  if (r->opcode & 0x8)
    out = r->control + r->pos;
  else if (r->max_message > 0)
    out = r->message + r->message_len;
  for (i = 0; out != NULL && i < n; i++)
    out[i] = data[i] ^ mask[(r->pos + i) & 3];
  if (out == NULL && r->message_opcode == GST_WS_OP_TEXT)
    for (i = 0; i < n; i++)
      if (!utf8_step (r, data[i] ^ mask[(r->pos + i) & 3])) {
        fail (r, event, GST_WS_CLOSE_BAD_DATA);
        return i + 1;
      }
  if (out != NULL && !(r->opcode & 0x8))
    r->message_len += n;
  r->pos += n;
  r->remaining -= n;
  return n;
}

static void
finish_close (GstWsFrameReader * r, GstWsEvent * event)
{
  guint len = r->pos;

  if (len == 0) {
    event->type = GST_WS_EVENT_CLOSE;
    event->code = GST_WS_CLOSE_NO_STATUS;
  } else if (len == 1) {
    fail (r, event, GST_WS_CLOSE_PROTOCOL_ERROR);
  } else if (!close_code_valid (r->control[0] << 8 | r->control[1])) {
    fail (r, event, GST_WS_CLOSE_PROTOCOL_ERROR);
  } else if (!utf8_valid (r->control + 2, len - 2)) {
    fail (r, event, GST_WS_CLOSE_BAD_DATA);
  } else {
    event->type = GST_WS_EVENT_CLOSE;
    event->code = r->control[0] << 8 | r->control[1];
  }
}

static void
finish_control (GstWsFrameReader * r, GstWsEvent * event)
{
  event->payload = r->control;
  event->len = r->pos;
  if (r->opcode == GST_WS_OP_PING)
    event->type = GST_WS_EVENT_PING;
  else if (r->opcode == GST_WS_OP_PONG)
    event->type = GST_WS_EVENT_PONG;
  else
    finish_close (r, event);
}

/* The last fragment is in: the whole message, checked. */
static void
finish_message (GstWsFrameReader * r, GstWsEvent * event)
{
  if (r->max_message == 0) {
    if (r->message_opcode == GST_WS_OP_TEXT && r->utf8_need > 0)
      fail (r, event, GST_WS_CLOSE_BAD_DATA);
    r->message_opcode = 0;
    return;
  }
  if (r->message_opcode == GST_WS_OP_TEXT
      && !utf8_valid (r->message, r->message_len)) {
    fail (r, event, GST_WS_CLOSE_BAD_DATA);
    return;
  }
  event->type = GST_WS_EVENT_MESSAGE;
  event->opcode = r->message_opcode;
  event->message = g_bytes_new_take (r->message, r->message_len);
  event->payload = g_bytes_get_data (event->message, NULL);
  event->len = r->message_len;
  r->message = NULL;
  drop_message (r);
}

/* Consumes bytes of @data up to the end of the next event (or all of it);
 * returns how many. A reader that reported an error consumes nothing more. */
gsize
gst_ws_frame_reader_feed (GstWsFrameReader * r, const guint8 * data,
    gsize len, GstWsEvent * event)
{
  gsize used = 0;

  memset (event, 0, sizeof (*event));
  while (used < len && !r->failed && event->type == GST_WS_EVENT_NONE) {
    if (r->have < r->need)
      used += read_header (r, data + used, len - used, event);
    else
      used += read_payload (r, data + used, len - used, event);
    if (r->failed || r->have < r->need || r->remaining > 0)
      continue;
    /* A whole frame is in. */
    if (r->opcode & 0x8)
      finish_control (r, event);
    else if (r->fin)
      finish_message (r, event);
    r->have = 0;
    r->need = 2;
  }
  return used;
}

/* wsaudio — fuzz targets
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* The WebSocket frame reader (gstwsframe.c) on what a client may send:
 * any bytes, cut anywhere. Input: a byte choosing the message limit, a
 * byte seeding how the stream is cut, then the stream. Checks, besides
 * memory safety: every event is well formed (messages within the limit,
 * text valid UTF-8, close codes valid, control payloads at most 125
 * bytes), the reader always makes progress, consumes nothing after an
 * error, and reports the same events however the stream is cut. */
#include <string.h>

#include "gstwsframe.h"
#include "fuzz-common.h"

static const gsize limits[] = { 0, 1, 125, 512, 4096, 65536 };

static guint32
hash_bytes (const guint8 * p, gsize n)
{
  guint32 h = 2166136261u;
  gsize i;

  for (i = 0; i < n; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

/* g_utf8_validate() refuses U+0000, which is valid in a text message. */
static gboolean
utf8_valid (const guint8 * p, gsize n)
{
  const guint8 *nul;

  while ((nul = memchr (p, 0, n)) != NULL) {
    if (!g_utf8_validate ((const gchar *) p, nul - p, NULL))
      return FALSE;
    n -= nul + 1 - p;
    p = nul + 1;
  }
  return g_utf8_validate ((const gchar *) p, n, NULL);
}

static void
check_event (const GstWsEvent * ev, gsize max_message)
{
  gsize size;

  switch (ev->type) {
    case GST_WS_EVENT_MESSAGE:
      g_assert (max_message > 0);
      g_assert (ev->opcode == GST_WS_OP_TEXT || ev->opcode == GST_WS_OP_BINARY);
      g_bytes_get_data (ev->message, &size);
      g_assert (size == ev->len);
      g_assert (size <= max_message);
      if (ev->opcode == GST_WS_OP_TEXT)
        g_assert (size == 0 || utf8_valid (ev->payload, size));
      break;
    case GST_WS_EVENT_PING:
    case GST_WS_EVENT_PONG:
      g_assert (ev->len <= GST_WS_MAX_CONTROL_PAYLOAD);
      break;
    case GST_WS_EVENT_CLOSE:
      g_assert (ev->code >= 1000 && ev->code < 5000 && ev->code != 1004
          && ev->code != 1006 && ev->code != 1015);
      break;
    case GST_WS_EVENT_ERROR:
      g_assert (ev->code == GST_WS_CLOSE_PROTOCOL_ERROR
          || ev->code == GST_WS_CLOSE_BAD_DATA
          || ev->code == GST_WS_CLOSE_TOO_BIG);
      break;
    default:
      g_assert_not_reached ();
  }
}

/* Feeds @data in pieces of the sizes @next_piece picks; appends each event
 * to @log. */
static void
run (const guint8 * data, gsize len, gsize max_message, guint32 seed,
    GString * log)
{
  GstWsFrameReader r;
  GstWsEvent ev;
  gsize pos = 0;

  gst_ws_frame_reader_init (&r, max_message);
  while (pos < len) {
    gsize piece = len - pos, used;

    if (seed != 0) {
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      piece = MIN (piece, (seed & 0x100) ? seed % 4096 + 1 : seed % 9 + 1);
    }
    while (piece > 0) {
      used = gst_ws_frame_reader_feed (&r, data + pos, piece, &ev);
      g_assert (used <= piece);
      if (r.failed && ev.type == GST_WS_EVENT_NONE) {
        g_assert (used == 0);
        goto done;
      }
      g_assert (used > 0 || ev.type != GST_WS_EVENT_NONE);
      pos += used;
      piece -= used;
      if (ev.type != GST_WS_EVENT_NONE) {
        check_event (&ev, max_message);
        g_string_append_printf (log, "%d/%u/%u/%u/%08x ", ev.type, ev.code,
            ev.opcode, ev.len, hash_bytes (ev.payload, ev.len));
      }
      gst_ws_event_clear (&ev);
      if (r.failed) {
        g_assert (gst_ws_frame_reader_feed (&r, data + pos, len - pos,
                &ev) == 0);
        g_assert (ev.type == GST_WS_EVENT_NONE);
        goto done;
      }
    }
  }
done:
  gst_ws_frame_reader_clear (&r);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  FuzzInput in = { data, size };
  gsize max_message = limits[fuzz_take_u8 (&in) % G_N_ELEMENTS (limits)];
  guint32 seed = fuzz_take_u8 (&in) * 2654435761u | 1;
  g_autoptr (GString) whole = g_string_new (NULL);
  g_autoptr (GString) cut = g_string_new (NULL);

  run (in.data, in.len, max_message, 0, whole);
  run (in.data, in.len, max_message, seed, cut);
  if (strcmp (whole->str, cut->str) != 0)
    g_error ("events differ when cut:\n  whole: %s\n  cut:   %s", whole->str,
        cut->str);
  return 0;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

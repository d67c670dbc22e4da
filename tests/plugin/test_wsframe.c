/* wsaudio — unit tests of the frame reader (gstwsframe.c)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The reader is a pure function of the bytes it is fed: these tests build
 * client frames by hand and compare the events, however the bytes are cut.
 */
#include <string.h>
#include <gst/check/gstcheck.h>

#include "gstwsframe.h"

#define FIN 0x80

/* One event, with a copy of its payload. */
typedef struct
{
  GstWsEventType type;
  gushort code;
  guint8 opcode;
  GBytes *payload;
} Ev;

static void
ev_free (Ev * ev)
{
  g_bytes_unref (ev->payload);
  g_free (ev);
}

/* Appends a masked client frame with @b0 as its first header byte. */
static void
add_frame (GByteArray * stream, guint8 b0, const void *payload, gsize len)
{
  static const guint8 mask[4] = { 0x12, 0x9c, 0xe1, 0x4f };
  const guint8 *p = payload;
  guint8 hdr[14];
  gsize n = 0, i;

  hdr[n++] = b0;
  if (len < 126) {
    hdr[n++] = 0x80 | len;
  } else if (len <= G_MAXUINT16) {
    hdr[n++] = 0x80 | 126;
    hdr[n++] = len >> 8;
    hdr[n++] = len & 0xff;
  } else {
    hdr[n++] = 0x80 | 127;
    for (i = 0; i < 8; i++)
      hdr[n++] = ((guint64) len >> (56 - 8 * i)) & 0xff;
  }
  memcpy (hdr + n, mask, 4);
  g_byte_array_append (stream, hdr, n + 4);
  for (i = 0; i < len; i++) {
    guint8 b = p[i] ^ mask[i % 4];

    g_byte_array_append (stream, &b, 1);
  }
}

static void
add_close (GByteArray * stream, gushort code, const gchar * reason)
{
  guint8 payload[125] = { code >> 8, code & 0xff };
  gsize len = strlen (reason);

  memcpy (payload + 2, reason, len);
  add_frame (stream, FIN | GST_WS_OP_CLOSE, payload, 2 + len);
}

/* Feeds @data in pieces cut at @cuts (increasing offsets, 0-terminated)
 * and returns the events; stops at an error. */
static GPtrArray *
feed_cut (gsize max_message, const guint8 * data, gsize len, const gsize * cuts)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)
      ev_free);
  GstWsFrameReader reader;
  GstWsEvent ev;
  gsize start = 0, end, used;

  gst_ws_frame_reader_init (&reader, max_message);
  for (; start < len; start = end) {
    end = (cuts && *cuts) ? *cuts++ : len;
    for (used = start; used < end && !reader.failed;) {
      used += gst_ws_frame_reader_feed (&reader, data + used, end - used, &ev);
      if (ev.type != GST_WS_EVENT_NONE) {
        Ev *e = g_new0 (Ev, 1);

        e->type = ev.type;
        e->code = ev.code;
        e->opcode = ev.opcode;
        e->payload = g_bytes_new (ev.payload, ev.len);
        g_ptr_array_add (events, e);
      }
      gst_ws_event_clear (&ev);
    }
    if (reader.failed)
      break;
  }
  gst_ws_frame_reader_clear (&reader);
  return events;
}

static void
assert_same_events (GPtrArray * a, GPtrArray * b, const gchar * how)
{
  guint i;

  fail_unless_equals_int (a->len, b->len);
  for (i = 0; i < a->len; i++) {
    Ev *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);

    fail_unless (x->type == y->type && x->code == y->code
        && x->opcode == y->opcode && g_bytes_equal (x->payload, y->payload),
        "event %u differs when %s", i, how);
  }
}

static Ev *
event (GPtrArray * events, guint i)
{
  fail_unless (i < events->len, "only %u events", events->len);
  return g_ptr_array_index (events, i);
}

static void
assert_event (GPtrArray * events, guint i, GstWsEventType type,
    const void *payload, gsize len)
{
  Ev *e = event (events, i);
  gsize size;
  const guint8 *data = g_bytes_get_data (e->payload, &size);

  fail_unless_equals_int (e->type, type);
  fail_unless_equals_uint64 (size, len);
  fail_unless (len == 0 || memcmp (data, payload, len) == 0,
      "payload of event %u", i);
}

/* The error a stream ends with (0 if none). */
static gushort
error_of (gsize max_message, GByteArray * stream)
{
  g_autoptr (GPtrArray) events = feed_cut (max_message, stream->data,
      stream->len, NULL);
  Ev *last;

  if (events->len == 0)
    return 0;
  last = g_ptr_array_index (events, events->len - 1);
  return last->type == GST_WS_EVENT_ERROR ? last->code : 0;
}

/* A bit of everything: control frames inside a fragmented message, empty
 * fragments, a 16-bit length, text split inside a character, a close. */
static GByteArray *
mixed_stream (guint8 ** big)
{
  GByteArray *s = g_byte_array_new ();
  guint i;

  *big = g_malloc (300);
  for (i = 0; i < 300; i++)
    (*big)[i] = i * 13;
  add_frame (s, FIN | GST_WS_OP_PING, "p1", 2);
  add_frame (s, GST_WS_OP_BINARY, "abc", 3);
  add_frame (s, FIN | GST_WS_OP_PING, "x", 1);
  add_frame (s, FIN | GST_WS_OP_PONG, "", 0);
  add_frame (s, GST_WS_OP_CONTINUATION, "defg", 4);
  add_frame (s, FIN | GST_WS_OP_CONTINUATION, "", 0);
  add_frame (s, GST_WS_OP_TEXT, "h\xc3", 2);
  add_frame (s, FIN | GST_WS_OP_CONTINUATION, "\xa9llo", 4);
  add_frame (s, FIN | GST_WS_OP_BINARY, *big, 300);
  add_frame (s, FIN | GST_WS_OP_BINARY, "", 0);
  add_close (s, 1000, "bye");
  return s;
}

GST_START_TEST (test_events_of_a_mixed_stream)
{
  guint8 *big;
  GByteArray *s = mixed_stream (&big);
  g_autoptr (GPtrArray) events = feed_cut (1024, s->data, s->len, NULL);

  fail_unless_equals_int (events->len, 8);
  assert_event (events, 0, GST_WS_EVENT_PING, "p1", 2);
  assert_event (events, 1, GST_WS_EVENT_PING, "x", 1);
  assert_event (events, 2, GST_WS_EVENT_PONG, "", 0);
  assert_event (events, 3, GST_WS_EVENT_MESSAGE, "abcdefg", 7);
  fail_unless_equals_int (event (events, 3)->opcode, GST_WS_OP_BINARY);
  assert_event (events, 4, GST_WS_EVENT_MESSAGE, "h\xc3\xa9llo", 6);
  fail_unless_equals_int (event (events, 4)->opcode, GST_WS_OP_TEXT);
  assert_event (events, 5, GST_WS_EVENT_MESSAGE, big, 300);
  assert_event (events, 6, GST_WS_EVENT_MESSAGE, "", 0);
  assert_event (events, 7, GST_WS_EVENT_CLOSE, "\x03\xe8" "bye", 5);
  fail_unless_equals_int (event (events, 7)->code, 1000);
  g_byte_array_unref (s);
  g_free (big);
}

GST_END_TEST;

/* Cut in two at every byte, and fed byte by byte: the same events. */
GST_START_TEST (test_split_anywhere)
{
  guint8 *big;
  GByteArray *s = mixed_stream (&big);
  g_autoptr (GPtrArray) whole = feed_cut (1024, s->data, s->len, NULL);
  gsize cut, *cuts = g_new0 (gsize, s->len + 1);

  for (cut = 1; cut < s->len; cut++) {
    gsize two[] = { cut, 0 };
    g_autoptr (GPtrArray) events = feed_cut (1024, s->data, s->len, two);
    g_autofree gchar *how = g_strdup_printf ("cut at %" G_GSIZE_FORMAT, cut);

    assert_same_events (whole, events, how);
  }
  for (cut = 1; cut < s->len; cut++)
    cuts[cut - 1] = cut;
  {
    g_autoptr (GPtrArray) events = feed_cut (1024, s->data, s->len, cuts);

    assert_same_events (whole, events, "fed byte by byte");
  }
  g_free (cuts);
  g_byte_array_unref (s);
  g_free (big);
}

GST_END_TEST;

GST_START_TEST (test_message_size_limit)
{
  GByteArray *s = g_byte_array_new ();
  g_autoptr (GPtrArray) events = NULL;
  GstWsFrameReader reader;
  GstWsEvent ev;
  gsize used, header_end;
  static const guint8 huge[] = { 0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0,
    1, 2, 3, 4
  };

  /* Exactly the limit, in fragments: delivered. */
  add_frame (s, GST_WS_OP_BINARY, "0123", 4);
  add_frame (s, FIN | GST_WS_OP_CONTINUATION, "456789", 6);
  events = feed_cut (10, s->data, s->len, NULL);
  assert_event (events, 0, GST_WS_EVENT_MESSAGE, "0123456789", 10);

  /* One byte more: refused at the header of the fragment that crosses it,
   * with none of its payload read or stored. */
  g_byte_array_set_size (s, 0);
  add_frame (s, GST_WS_OP_BINARY, "012345", 6);
  header_end = s->len + 2 + 4;
  add_frame (s, FIN | GST_WS_OP_CONTINUATION, "56789", 5);
  gst_ws_frame_reader_init (&reader, 10);
  used = gst_ws_frame_reader_feed (&reader, s->data, s->len, &ev);
  fail_unless_equals_int (ev.type, GST_WS_EVENT_ERROR);
  fail_unless_equals_int (ev.code, GST_WS_CLOSE_TOO_BIG);
  fail_unless_equals_uint64 (used, header_end);
  fail_unless (reader.message == NULL);
  /* A failed reader takes nothing more. */
  fail_unless_equals_uint64 (gst_ws_frame_reader_feed (&reader,
          s->data + used, s->len - used, &ev), 0);
  gst_ws_frame_reader_clear (&reader);

  /* A 4 GiB frame is refused before anything is allocated. */
  g_byte_array_set_size (s, 0);
  g_byte_array_append (s, huge, sizeof (huge));
  fail_unless_equals_int (error_of (65536, s), GST_WS_CLOSE_TOO_BIG);
  /* The top bit of a 64-bit length is a protocol error. */
  s->data[2] = 0x80;
  fail_unless_equals_int (error_of (65536, s), GST_WS_CLOSE_PROTOCOL_ERROR);
  g_byte_array_unref (s);
}

GST_END_TEST;

/* The sink's reader: data skipped without being stored, control frames
 * and errors as usual. */
GST_START_TEST (test_skip_data)
{
  GByteArray *s = g_byte_array_new ();
  guint8 *big = g_malloc0 (100000);
  g_autoptr (GPtrArray) events = NULL;

  add_frame (s, GST_WS_OP_BINARY, big, 100000);
  add_frame (s, FIN | GST_WS_OP_PING, "p", 1);
  add_frame (s, FIN | GST_WS_OP_CONTINUATION, big, 1000);
  add_frame (s, FIN | GST_WS_OP_TEXT, "\xc3\xa9", 2);
  add_close (s, 1001, "");
  events = feed_cut (0, s->data, s->len, NULL);
  fail_unless_equals_int (events->len, 2);
  assert_event (events, 0, GST_WS_EVENT_PING, "p", 1);
  fail_unless_equals_int (event (events, 1)->type, GST_WS_EVENT_CLOSE);
  fail_unless_equals_int (event (events, 1)->code, 1001);
  g_byte_array_set_size (s, 0);
  add_frame (s, FIN | GST_WS_OP_CONTINUATION, "x", 1);
  fail_unless_equals_int (error_of (0, s), GST_WS_CLOSE_PROTOCOL_ERROR);
  /* Skipped text is still checked, across fragments too. */
  g_byte_array_set_size (s, 0);
  add_frame (s, FIN | GST_WS_OP_TEXT, "\xff", 1);
  fail_unless_equals_int (error_of (0, s), GST_WS_CLOSE_BAD_DATA);
  g_byte_array_set_size (s, 0);
  add_frame (s, GST_WS_OP_TEXT, "\xe2\x82", 2);
  add_frame (s, FIN | GST_WS_OP_CONTINUATION, "\xac", 1);
  add_close (s, 1000, "");
  fail_unless_equals_int (error_of (0, s), 0);
  g_byte_array_set_size (s, 0);
  add_frame (s, FIN | GST_WS_OP_TEXT, "\xe2\x82", 2);
  fail_unless_equals_int (error_of (0, s), GST_WS_CLOSE_BAD_DATA);
  g_byte_array_unref (s);
  g_free (big);
}

GST_END_TEST;

static gushort
error_of_frame (guint8 b0, const void *payload, gsize len)
{
  GByteArray *s = g_byte_array_new ();
  gushort code;

  add_frame (s, b0, payload, len);
  code = error_of (1024, s);
  g_byte_array_unref (s);
  return code;
}

GST_START_TEST (test_protocol_errors)
{
  static const guint8 unmasked[] = { 0x82, 0x02, 'h', 'i' };
  GByteArray *s = g_byte_array_new ();
  guint8 long_ping[126] = { 0 };

  g_byte_array_append (s, unmasked, sizeof (unmasked));
  fail_unless_equals_int (error_of (1024, s), GST_WS_CLOSE_PROTOCOL_ERROR);
  fail_unless_equals_int (error_of_frame (FIN | 0x40 | GST_WS_OP_BINARY,
          "x", 1), GST_WS_CLOSE_PROTOCOL_ERROR);
  fail_unless_equals_int (error_of_frame (FIN | 0x3, "x", 1),
      GST_WS_CLOSE_PROTOCOL_ERROR);
  fail_unless_equals_int (error_of_frame (FIN | 0xB, "x", 1),
      GST_WS_CLOSE_PROTOCOL_ERROR);
  fail_unless_equals_int (error_of_frame (GST_WS_OP_PING, "x", 1),
      GST_WS_CLOSE_PROTOCOL_ERROR);
  fail_unless_equals_int (error_of_frame (FIN | GST_WS_OP_PING, long_ping,
          126), GST_WS_CLOSE_PROTOCOL_ERROR);
  fail_unless_equals_int (error_of_frame (FIN | GST_WS_OP_CONTINUATION, "x",
          1), GST_WS_CLOSE_PROTOCOL_ERROR);
  fail_unless_equals_int (error_of_frame (FIN | GST_WS_OP_CLOSE, "\x03", 1),
      GST_WS_CLOSE_PROTOCOL_ERROR);
  /* A new message while one is open. */
  g_byte_array_set_size (s, 0);
  add_frame (s, GST_WS_OP_BINARY, "ab", 2);
  add_frame (s, FIN | GST_WS_OP_BINARY, "cd", 2);
  fail_unless_equals_int (error_of (1024, s), GST_WS_CLOSE_PROTOCOL_ERROR);
  g_byte_array_unref (s);
}

GST_END_TEST;

GST_START_TEST (test_text_and_close_validation)
{
  GByteArray *s = g_byte_array_new ();
  g_autoptr (GPtrArray) events = NULL;

  /* U+0000 is valid UTF-8, overlong forms and surrogates are not. */
  add_frame (s, FIN | GST_WS_OP_TEXT, "a\0b", 3);
  events = feed_cut (1024, s->data, s->len, NULL);
  assert_event (events, 0, GST_WS_EVENT_MESSAGE, "a\0b", 3);
  fail_unless_equals_int (error_of_frame (FIN | GST_WS_OP_TEXT, "\xc0\xaf",
          2), GST_WS_CLOSE_BAD_DATA);
  fail_unless_equals_int (error_of_frame (FIN | GST_WS_OP_TEXT,
          "\xed\xa0\x80", 3), GST_WS_CLOSE_BAD_DATA);
  fail_unless_equals_int (error_of_frame (FIN | GST_WS_OP_TEXT, "caf\xc3", 4),
      GST_WS_CLOSE_BAD_DATA);
  /* Binary is never checked. */
  fail_unless_equals_int (error_of_frame (FIN | GST_WS_OP_BINARY, "\xff", 1),
      0);

  /* Close codes an endpoint may not send, and a reason in bad UTF-8. */
  g_byte_array_set_size (s, 0);
  add_close (s, 1005, "");
  fail_unless_equals_int (error_of (1024, s), GST_WS_CLOSE_PROTOCOL_ERROR);
  g_byte_array_set_size (s, 0);
  add_close (s, 999, "");
  fail_unless_equals_int (error_of (1024, s), GST_WS_CLOSE_PROTOCOL_ERROR);
  g_byte_array_set_size (s, 0);
  add_close (s, 1000, "\xff");
  fail_unless_equals_int (error_of (1024, s), GST_WS_CLOSE_BAD_DATA);
  g_byte_array_set_size (s, 0);
  add_close (s, 1013, "");
  add_close (s, 4000, "fine");
  g_clear_pointer (&events, g_ptr_array_unref);
  events = feed_cut (1024, s->data, s->len, NULL);
  fail_unless_equals_int (event (events, 0)->code, 1013);
  fail_unless_equals_int (event (events, 1)->code, 4000);
  /* An empty close has no status. */
  g_byte_array_set_size (s, 0);
  add_frame (s, FIN | GST_WS_OP_CLOSE, "", 0);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = feed_cut (1024, s->data, s->len, NULL);
  fail_unless_equals_int (event (events, 0)->code, GST_WS_CLOSE_NO_STATUS);
  g_byte_array_unref (s);
}

GST_END_TEST;

static Suite *
wsframe_suite (void)
{
  Suite *s = suite_create ("wsframe");
  TCase *tc = tcase_create ("reader");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_events_of_a_mixed_stream);
  tcase_add_test (tc, test_split_anywhere);
  tcase_add_test (tc, test_message_size_limit);
  tcase_add_test (tc, test_skip_data);
  tcase_add_test (tc, test_protocol_errors);
  tcase_add_test (tc, test_text_and_close_validation);
  return s;
}

GST_CHECK_MAIN (wsframe);

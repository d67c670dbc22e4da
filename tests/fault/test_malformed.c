/* wsaudio — fault tests: malformed HTTP and WebSocket input
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Raw clients send garbage, oversized headers, broken upgrade requests and
 * every kind of malformed frame to websocketsink and websocketsrc. Each
 * costs that connection only, with the close code RFC 6455 asks for
 * (1002 protocol error, 1007 invalid UTF-8, 1009 too big) or an HTTP
 * error; a listener keeps receiving the stream (websocketsink), a talker
 * keeps being heard (websocketsrc), and no pipeline error is posted.
 */
#include <string.h>
#include <unistd.h>
#include <gst/check/gstcheck.h>

#include "fault-util.h"
#include "wstest.h"

#define READ_MS 4000

#define SRC "websocketsrc name=ws host=127.0.0.1 port=0 ! fakesink"

typedef struct
{
  const gchar *name;
  const gchar *request;
  const gchar *filler;          /* repeated after it, for huge heads */
  gsize repeat;                 /* bytes of filler */
  gint status;                  /* expected; 0: reset or closed */
} BadRequest;

#define H "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
#define KEY "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"

static const BadRequest bad_requests[] = {
  {"garbage", "\x16\x03\x01\x02\x01 not HTTP at all\r\n\r\n", NULL, 0, 400},
  {"missing key", "GET / HTTP/1.1\r\n" H "Sec-WebSocket-Version: 13\r\n\r\n",
      NULL, 0, 400},
  {"bad version", "GET / HTTP/1.1\r\n" H KEY "Sec-WebSocket-Version: 8\r\n"
        "\r\n", NULL, 0, 400},
  {"no upgrade", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", NULL, 0, 426},
  {"POST upgrade", "POST / HTTP/1.1\r\n" H KEY "Sec-WebSocket-Version: 13\r\n"
        "Content-Length: 0\r\n\r\n", NULL, 0, 400},
  {"huge header", "GET / HTTP/1.1\r\n" H KEY "X-Big: ", "a", 4 << 20, 0},
  {"many headers", "GET / HTTP/1.1\r\n" H KEY, "X-A: b\r\n", 4 << 20, 0},
};

typedef struct
{
  const gchar *name;
  guint8 b0;
  gboolean masked;
  guint64 claimed;              /* the length field */
  const gchar *payload;
  gsize len;
  gint sink_code, src_code;     /* expected close code */
} BadFrame;

static const BadFrame bad_frames[] = {
  {"unmasked", 0x82, FALSE, 4, "abcd", 4, 1002, 1002},
  {"64-bit length with the top bit", 0x82, TRUE, G_GUINT64_CONSTANT (1) << 63,
      "", 0, 1002, 1002},
  {"length over max-message-size", 0x82, TRUE, 1 << 20, "", 0, 0, 1009},
  {"control frame of 126 bytes", 0x89, TRUE, 126, "", 0, 1002, 1002},
  {"fragmented ping", 0x09, TRUE, 2, "hi", 2, 1002, 1002},
  {"reserved data opcode 0x3", 0x83, TRUE, 2, "hi", 2, 1002, 1002},
  {"reserved control opcode 0xB", 0x8b, TRUE, 2, "hi", 2, 1002, 1002},
  {"RSV1 set", 0xc2, TRUE, 2, "hi", 2, 1002, 1002},
  {"RSV3 set", 0x92, TRUE, 2, "hi", 2, 1002, 1002},
  {"invalid UTF-8 in text", 0x81, TRUE, 4, "a\xff\xfe" "b", 4, 1007, 1007},
  {"overlong UTF-8 in text", 0x81, TRUE, 2, "\xc0\xaf", 2, 1007, 1007},
  {"continuation without start", 0x80, TRUE, 2, "hi", 2, 1002, 1002},
  {"close with code 999", 0x88, TRUE, 2, "\x03\xe7", 2, 1002, 1002},
};

/* Sends @bad on a new connection: it must get the expected status (or be
 * reset) and then be closed. */
static void
send_bad_request (guint port, const BadRequest * bad)
{
  gint fd = fault_connect (port, READ_MS);
  gint status;
  gsize i, block = 4096;

  fail_unless (fd >= 0);
  fault_send (fd, bad->request, strlen (bad->request));
  /* Then @repeat bytes of @filler, as long as the server takes them. */
  for (i = 0; i < bad->repeat; i += block) {
    g_autofree gchar *more = g_malloc (block);
    gsize flen = strlen (bad->filler), j;

    for (j = 0; j < block; j++)
      more[j] = bad->filler[j % flen];
    if (!fault_send (fd, more, block))
      break;
  }
  status = fault_read_status (fd);
  g_printerr ("%-24s HTTP %d\n", bad->name, status);
  fail_unless (status != -1, "%s: no answer", bad->name);
  if (bad->status != 0)
    fail_unless_equals_int (status, bad->status);
  fail_unless (fault_wait_closed (fd), "%s: not closed", bad->name);
  close (fd);
}

/* Sends @bad after a successful upgrade: returns the close code. */
static gint
send_bad_frame (guint port, const BadFrame * bad)
{
  gint fd = fault_connect (port, READ_MS);
  gint code;

  fail_unless (fd >= 0);
  fail_unless (fault_upgrade (fd));
  fault_send_frame_full (fd, bad->b0, bad->masked, bad->claimed,
      (const guint8 *) bad->payload, bad->len);
  code = fault_read_close (fd);
  fail_unless (fault_wait_closed (fd), "%s: not closed", bad->name);
  close (fd);
  return code;
}

/* The listener got more of the stream and is still connected. */
static gboolean
still_streaming (gint listener)
{
  gboolean closed = FALSE;
  gsize got = 0;

  if (!WS_WAIT_UNTIL ((got += fault_drain (listener, &closed)) > 0 || closed,
          2000))
    return FALSE;
  return !closed && got > 0;
}

GST_START_TEST (test_sink)
{
  FaultPipeline p;
  gint listener, code;
  guint i;

  fault_pipeline_start (&p, FAULT_TONE_SINK);
  listener = fault_connect (p.port, READ_MS);
  fail_unless (fault_upgrade (listener));
  fail_unless (still_streaming (listener));

  for (i = 0; i < G_N_ELEMENTS (bad_requests); i++) {
    send_bad_request (p.port, &bad_requests[i]);
    fail_unless (still_streaming (listener), "after %s", bad_requests[i].name);
  }
  for (i = 0; i < G_N_ELEMENTS (bad_frames); i++) {
    if (bad_frames[i].sink_code == 0)
      continue;                 /* what it does not store has no limit */
    code = send_bad_frame (p.port, &bad_frames[i]);
    g_printerr ("sink: %-32s closed with %d\n", bad_frames[i].name, code);
    fail_unless_equals_int (code, bad_frames[i].sink_code);
    fail_unless (still_streaming (listener), "after %s", bad_frames[i].name);
  }
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p.ws) == 1, 5000));
  fail_unless_equals_int (g_atomic_int_get (&p.errors), 0);
  close (listener);
  fault_pipeline_stop (&p);
}

GST_END_TEST;

/* The talker sends one message and it is received. */
static gboolean
heard (FaultPipeline * p, gint talker)
{
  static const guint8 audio[512];
  guint64 before = ws_test_bytes_received (p->ws);
  gboolean closed;

  fault_drain (talker, &closed);
  return !closed && fault_send_frame (talker, 0x82, audio, sizeof audio)
      && WS_WAIT_UNTIL (ws_test_bytes_received (p->ws) >= before + sizeof audio,
      2000);
}

GST_START_TEST (test_src)
{
  FaultPipeline p;
  gint talker, code;
  guint i;

  fault_pipeline_start (&p, SRC);
  talker = fault_connect (p.port, READ_MS);
  fail_unless (fault_upgrade (talker));
  fail_unless (heard (&p, talker));

  /* Requests that never upgrade leave the talker alone. */
  for (i = 0; i < G_N_ELEMENTS (bad_requests); i++) {
    send_bad_request (p.port, &bad_requests[i]);
    fail_unless (heard (&p, talker), "after %s", bad_requests[i].name);
  }
  /* A client that upgrades becomes the talker (talker-policy=newest) and
   * the previous one is closed normally; after its bad frame the next
   * talker is heard. */
  for (i = 0; i < G_N_ELEMENTS (bad_frames); i++) {
    code = send_bad_frame (p.port, &bad_frames[i]);
    g_printerr ("src:  %-32s closed with %d\n", bad_frames[i].name, code);
    fail_unless_equals_int (code, bad_frames[i].src_code);
    if (i == 0)
      fail_unless_equals_int (fault_read_close (talker), 1000);
    close (talker);
    talker = fault_connect (p.port, READ_MS);
    fail_unless (fault_upgrade (talker));
    fail_unless (heard (&p, talker), "after %s", bad_frames[i].name);
  }
  fail_unless (WS_WAIT_UNTIL (ws_test_num_clients (p.ws) == 1, 5000));
  fail_unless_equals_int (g_atomic_int_get (&p.errors), 0);
  close (talker);
  fault_pipeline_stop (&p);
}

GST_END_TEST;

static Suite *
malformed_suite (void)
{
  Suite *s = suite_create ("fault-malformed");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_sink);
  tcase_add_test (tc, test_src);
  return s;
}

GST_CHECK_MAIN (malformed);

/* wsaudio - sidecar tests: pipelines/speaker.pipeline end to end
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A private PulseAudio, a 1 kHz tone played into its sink "speaker", and the
 * bundled speaker pipeline run by `wsaudio run`: a WebSocket client
 * (websocketsrc in client mode) receives MPEG-TS that JSMpeg can play
 * (188-byte packets, audio PES stream id 0xC0, MPEG-1 Layer II 128 kbit/s
 * 44.1 kHz mono) and decodes it back to the tone.  The bind address and
 * token come from the documented variables.
 */
#include <gst/app/gstappsink.h>
#include <gst/check/gstcheck.h>
#include <string.h>

#include "sidecar-util.h"
#include "wsa-test-wait.h"
#include "wstest.h"

#define TS_PACKET 188
/* Decoded audio analysed: 250 ms after the tone appears, one second. */
#define SETTLE_SECONDS 0.25
#define ANALYSE_SECONDS 1.0

typedef struct
{
  guint messages;
  guint bad_messages;           /* not whole 188-byte packets */
  guint bad_sync;
  guint pes_c0;                 /* audio PES packets with stream id 0xC0 */
  guint pes_other;
  guint8 mp2_header[4];         /* the first MP2 frame header */
  gboolean have_header;
} TsStats;

static void
ts_pes (TsStats * st, const guint8 * pes, gsize len)
{
  gsize payload;

  if (len < 9 || pes[0] != 0 || pes[1] != 0 || pes[2] != 1)
    return;
  if (pes[3] != 0xC0) {
    st->pes_other++;
    return;
  }
  st->pes_c0++;
  payload = 9 + pes[8];
  if (!st->have_header && len >= payload + 4) {
    memcpy (st->mp2_header, pes + payload, 4);
    st->have_header = TRUE;
  }
}

/* Checks the packets of one WebSocket message: sync bytes, and PES headers
 * where the unit start bit is set (PAT/PMT sections never start with
 * 00 00 01). */
static void
ts_message (TsStats * st, const guint8 * data, gsize size)
{
  gsize i;

  st->messages++;
  if (size == 0 || size % TS_PACKET != 0) {
    st->bad_messages++;
    return;
  }
  for (i = 0; i < size; i += TS_PACKET) {
    const guint8 *p = data + i;
    guint afc = (p[3] >> 4) & 3, start = 4;

    if (p[0] != 0x47) {
      st->bad_sync++;
      continue;
    }
    if (afc & 2)
      start += 1 + p[4];
    if ((p[1] & 0x40) && (afc & 1) && start < TS_PACKET)
      ts_pes (st, p + start, TS_PACKET - start);
  }
}

static void
pull_ts (GstElement * appsink, TsStats * st)
{
  GstSample *sample;

  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (appsink), 0))) {
    GstMapInfo map;

    if (gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ)) {
      ts_message (st, map.data, map.size);
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
    }
    gst_sample_unref (sample);
  }
}

GST_START_TEST (test_speaker_tone_reaches_a_websocket_client)
{
  g_autoptr (WsaTestPulse) pulse = sidecar_start_pulse ();
  g_autoptr (LauncherProcess) proc = NULL;
  g_autoptr (GstElement) ts = NULL;
  GstElement *tone, *listener;
  SidecarPcm pcm;
  TsStats st = { 0 };
  guint port;

  sidecar_setenv ("WSAUDIO_SPEAKER_PORT", "0", "CONTAINER_IP_ADDR",
      "127.0.0.1", "WSAUDIO_SPEAKER_TOKEN", NULL, "WSAUDIO_TOKEN", NULL, NULL);
  proc = sidecar_run ("speaker.pipeline", "speaker", "speaker", &port);
  fail_unless (launcher_process_wait_line (proc,
          "pipeline=speaker state=waiting", 0, SIDECAR_TIMEOUT_MS) >= 0);
  tone = sidecar_tone_start ("speaker");

  /* On demand: the client starts the pipeline. */
  listener = sidecar_listener_start (port, "/?jwt_token=ignored", TRUE);
  sidecar_pcm_init (&pcm, listener, "pcm");
  ts = gst_bin_get_by_name (GST_BIN (listener), "ts");
  fail_unless (launcher_process_wait_line (proc,
          "pipeline=speaker state=playing", 0, SIDECAR_TIMEOUT_MS) >= 0);
  fail_unless (WSA_TEST_WAIT_UNTIL ((pull_ts (ts, &st),
              sidecar_pcm_has_tone (&pcm, SETTLE_SECONDS + ANALYSE_SECONDS)),
          SIDECAR_TIMEOUT_MS), "%u samples decoded at %d Hz",
      pcm.samples->len, pcm.rate);
  sidecar_pipeline_check (listener);
  sidecar_pipeline_check (tone);

  /* The stream is what JSMpeg plays. */
  fail_unless (st.messages > 10);
  fail_unless_equals_int (st.bad_messages, 0);
  fail_unless_equals_int (st.bad_sync, 0);
  fail_unless (st.pes_c0 > 10, "%u audio PES", st.pes_c0);
  fail_unless_equals_int (st.pes_other, 0);
  fail_unless (st.have_header);
  /* MPEG-1 Layer II (with or without CRC), 128 kbit/s, 44.1 kHz, mono. */
  fail_unless_equals_int (st.mp2_header[0], 0xFF);
  fail_unless_equals_int (st.mp2_header[1] & 0xFE, 0xFC);
  fail_unless_equals_int (st.mp2_header[2] >> 4, 8);
  fail_unless_equals_int ((st.mp2_header[2] >> 2) & 3, 0);
  fail_unless_equals_int (st.mp2_header[3] >> 6, 3);
  fail_unless_equals_int (pcm.rate, 44100);
  fail_unless_equals_int (pcm.channels, 1);

  /* And it decodes to the tone. */
  sidecar_pcm_check_tone (&pcm, SETTLE_SECONDS, ANALYSE_SECONDS,
      SIDECAR_TONE_HZ);
  fail_unless_equals_int (launcher_process_count_lines (proc,
          "state=restarting", 0), 0);

  sidecar_pcm_clear (&pcm);
  sidecar_pipeline_stop (listener);
  sidecar_pipeline_stop (tone);
}

GST_END_TEST;

/* Connects a plain TCP client to @host:@port; TRUE if it was accepted. */
static gboolean
tcp_accepts (const gchar * host, guint port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;

  conn = g_socket_client_connect_to_host (client, host, port, NULL, NULL);
  return conn != NULL;
}

GST_START_TEST (test_speaker_binds_and_checks_tokens)
{
  g_autoptr (WsaTestPulse) pulse = sidecar_start_pulse ();
  g_autoptr (LauncherProcess) proc = NULL;
  g_autoptr (SoupWebsocketConnection) refused = NULL;
  g_autoptr (SoupWebsocketConnection) admitted = NULL;
  guint port, status = 0;

  /* POD_IP when CONTAINER_IP_ADDR is unset; WSAUDIO_TOKEN for both ports
   * unless WSAUDIO_SPEAKER_TOKEN is set. */
  sidecar_setenv ("WSAUDIO_SPEAKER_PORT", "0", "CONTAINER_IP_ADDR", NULL,
      "POD_IP", "127.0.0.1", "WSAUDIO_SPEAKER_TOKEN", NULL,
      "WSAUDIO_TOKEN", "s3cret", NULL);
  proc = sidecar_run ("speaker.pipeline", "speaker", "speaker", &port);
  fail_unless (tcp_accepts ("127.0.0.1", port));
  fail_if (tcp_accepts ("127.0.0.2", port), "listening beyond POD_IP");

  refused = ws_test_connect (port, "/?token=wrong", NULL, &status);
  fail_unless (refused == NULL);
  fail_unless_equals_int (status, SOUP_STATUS_UNAUTHORIZED);
  admitted = ws_test_connect (port, "/?token=s3cret", NULL, &status);
  fail_unless (admitted != NULL, "HTTP %u", status);
  fail_unless (launcher_process_wait_line (proc,
          "pipeline=speaker state=playing", 0, SIDECAR_TIMEOUT_MS) >= 0);
}

GST_END_TEST;

static Suite *
sidecar_speaker_suite (void)
{
  Suite *s = suite_create ("sidecar-speaker");
  TCase *tc = tcase_create ("speaker");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_speaker_tone_reaches_a_websocket_client);
  tcase_add_test (tc, test_speaker_binds_and_checks_tokens);
  return s;
}

GST_CHECK_MAIN (sidecar_speaker);

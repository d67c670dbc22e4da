/* wsaudio - sidecar tests: the bundled pipelines run by the real launcher
 * against a private PulseAudio
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The tests run what a user runs: `wsaudio run pipelines/NAME.pipeline`
 * (or tools/run-sidecar) from the source tree, in a child process that
 * inherits this process's environment (PULSE_SERVER of the private daemon,
 * the WSAUDIO_ variables the test sets).  Audio is played, recorded, sent
 * and received by in-process pipelines and a libsoup client driven from the
 * test's main context; waits are WSA_TEST_WAIT_UNTIL on conditions.
 */
#include "sidecar-util.h"

#include "tone.h"
#include "wsa-test-wait.h"
#include "wstest.h"

#include <gst/app/gstappsink.h>
#include <gst/check/gstcheck.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

WsaTestPulse *
sidecar_start_pulse (void)
{
  g_autoptr (GError) error = NULL;
  WsaTestPulse *pulse;

  fail_unless (wsa_test_pulse_available (), "pulseaudio or pactl missing");
  pulse = wsa_test_pulse_new ();
  /* libpulse clients keep their cookie under HOME: not the user's. */
  g_setenv ("HOME", wsa_test_pulse_get_dir (pulse), TRUE);
  fail_unless (wsa_test_pulse_start (pulse, &error), "%s", error ?
      error->message : "");
  return pulse;
}

void
sidecar_setenv (const gchar * first_name, ...)
{
  const gchar *name;
  va_list args;

  va_start (args, first_name);
  for (name = first_name; name; name = va_arg (args, const gchar *)) {
    const gchar *value = va_arg (args, const gchar *);

    if (value)
      g_setenv (name, value, TRUE);
    else
      g_unsetenv (name);
  }
  va_end (args);
}

guint
sidecar_wait_port (LauncherProcess * proc, const gchar * pipeline,
    const gchar * element)
{
  g_autofree gchar *needle = g_strdup_printf ("pipeline=%s element=%s port=",
      pipeline, element);
  g_autofree gchar *dump = NULL;
  gint line = launcher_process_wait_line (proc, needle, 0,
      SIDECAR_TIMEOUT_MS);
  guint port = 0;

  if (line >= 0)
    port = atoi (strstr (launcher_process_line (proc, line), needle)
        + strlen (needle));
  if (port > 0)
    return port;
  dump = launcher_process_dump (proc);
  fail ("no \"%s\" with a port in the log\n%s", needle, dump);
  return 0;
}

LauncherProcess *
sidecar_run_path (const gchar * path, const gchar * pipeline,
    const gchar * element, guint * port)
{
  LauncherProcess *proc = launcher_process_spawn ("run", path, NULL);

  *port = sidecar_wait_port (proc, pipeline, element);
  return proc;
}

LauncherProcess *
sidecar_run (const gchar * file, const gchar * pipeline,
    const gchar * element, guint * port)
{
  g_autofree gchar *path = g_build_filename (WSAUDIO_SOURCE_ROOT,
      "pipelines", file, NULL);

  return sidecar_run_path (path, pipeline, element, port);
}

GstElement *
sidecar_pipeline_start (const gchar * description)
{
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);

  fail_unless (pipeline != NULL, "%s: %s", description, error ?
      error->message : "");
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE, "cannot start %s", description);
  return pipeline;
}

void
sidecar_pipeline_check (GstElement * pipeline)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;

  if (msg == NULL)
    return;
  gst_message_parse_error (msg, &error, &debug);
  fail ("error from %s: %s (%s)", GST_OBJECT_NAME (msg->src), error->message,
      debug);
}

void
sidecar_pipeline_stop (GstElement * pipeline)
{
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

GstElement *
sidecar_tone_start (const gchar * device)
{
  g_autofree gchar *desc = g_strdup_printf ("audiotestsrc is-live=true "
      "freq=%g volume=0.5 ! audio/x-raw,rate=44100,channels=1 ! "
      "pulsesink device=%s", SIDECAR_TONE_HZ, device);

  return sidecar_pipeline_start (desc);
}

/* ------------------------------------------------------------------ */

void
sidecar_pcm_init (SidecarPcm * pcm, GstElement * pipeline,
    const gchar * appsink_name)
{
  memset (pcm, 0, sizeof (*pcm));
  pcm->appsink = gst_bin_get_by_name (GST_BIN (pipeline), appsink_name);
  fail_unless (pcm->appsink != NULL);
  pcm->samples = g_array_new (FALSE, FALSE, sizeof (gfloat));
  pcm->onset = -1;
}

void
sidecar_pcm_clear (SidecarPcm * pcm)
{
  g_clear_object (&pcm->appsink);
  g_clear_pointer (&pcm->samples, g_array_unref);
}

void
sidecar_pcm_reset (SidecarPcm * pcm)
{
  g_array_set_size (pcm->samples, 0);
  pcm->onset = -1;
}

static void
pcm_pull (SidecarPcm * pcm)
{
  GstSample *sample;

  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK
              (pcm->appsink), 0))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample),
        0);
    GstMapInfo map;

    gst_structure_get_int (s, "rate", &pcm->rate);
    gst_structure_get_int (s, "channels", &pcm->channels);
    if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
      g_array_append_vals (pcm->samples, map.data, map.size / sizeof (gfloat));
      gst_buffer_unmap (buf, &map);
    }
    gst_sample_unref (sample);
  }
}

gboolean
sidecar_pcm_has_tone (SidecarPcm * pcm, gdouble seconds)
{
  pcm_pull (pcm);
  if (pcm->rate <= 0)
    return FALSE;
  if (pcm->onset < 0)
    pcm->onset = tone_onset ((const gfloat *) pcm->samples->data,
        pcm->samples->len, pcm->rate, 0.1);
  return pcm->onset >= 0
      && pcm->samples->len >= pcm->onset + seconds * pcm->rate;
}

void
sidecar_pcm_check_tone (SidecarPcm * pcm, gdouble settle, gdouble seconds,
    gdouble hz)
{
  const gfloat *s;
  gsize n;
  gdouble median, overall, rms, good;

  fail_unless (sidecar_pcm_has_tone (pcm, settle + seconds));
  s = (const gfloat *) pcm->samples->data + pcm->onset
      + (gsize) (settle * pcm->rate);
  n = seconds * pcm->rate;
  median = tone_median_frequency (s, n, pcm->rate, hz, &good);
  overall = tone_frequency (s, n, pcm->rate);
  rms = tone_rms (s, n);
  GST_INFO ("measured %.2f Hz (median of 100 ms windows, %.0f %% of them "
      "within 2 %%; %.2f Hz over all), RMS %.3f", median, good * 100,
      overall, rms);
  fail_unless (fabs (median - hz) <= 0.02 * hz, "%.2f Hz, expected %.2f",
      median, hz);
  fail_unless (good >= 0.7, "only %.0f %% of the windows at %.2f Hz",
      good * 100, hz);
  fail_unless (rms > 0.2, "RMS %.3f: (nearly) silent", rms);
}

void
sidecar_pcm_check_no_gaps (SidecarPcm * pcm, gdouble settle, gdouble seconds)
{
  gsize window = pcm->rate / 200, n = seconds * pcm->rate, i;
  const gfloat *s;
  guint gaps = 0;

  fail_unless (sidecar_pcm_has_tone (pcm, settle + seconds));
  s = (const gfloat *) pcm->samples->data + pcm->onset
      + (gsize) (settle * pcm->rate);
  for (i = 0; i + window <= n; i += window)
    gaps += tone_rms (s + i, window) < 0.1;
  GST_INFO ("%u of %" G_GSIZE_FORMAT " 5 ms windows silent", gaps, n / window);
  fail_unless (gaps == 0, "%u of the 5 ms windows silent", gaps);
}

/* ------------------------------------------------------------------ */

GstElement *
sidecar_listener_start (guint port, const gchar * query, gboolean ts_appsink)
{
  g_autofree gchar *desc = g_strdup_printf ("websocketsrc "
      "uri=ws://127.0.0.1:%u%s "
      "caps=\"video/mpegts,systemstream=true,packetsize=188\" ! "
      "tee name=t ! queue ! tsdemux ! mpegaudioparse ! mpg123audiodec ! "
      "audioconvert ! audio/x-raw,format=F32LE ! appsink name=pcm sync=false"
      "%s", port, query,
      ts_appsink ? " t. ! queue ! appsink name=ts sync=false" : "");

  return sidecar_pipeline_start (desc);
}

GstElement *
sidecar_recorder_start (void)
{
  return sidecar_pipeline_start ("pulsesrc device=microphone "
      "buffer-time=20000 latency-time=5000 ! audioconvert ! audioresample ! "
      "audio/x-raw,format=F32LE,rate=44100,channels=1 ! "
      "appsink name=pcm sync=false");
}

/* ------------------------------------------------------------------ */

void
sidecar_talker_start (SidecarTalker * t, guint port, const gchar * query,
    gint rate)
{
  guint status = 0;

  fail_unless (ws_test_talker_start (t, port, query, rate, &status),
      "connecting to %u%s: HTTP %u", port, query, status);
}

void
sidecar_talker_stop (SidecarTalker * t)
{
  ws_test_talker_stop (t);
}

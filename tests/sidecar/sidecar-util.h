/* wsaudio - sidecar tests: the bundled pipelines run by the real launcher
 * against a private PulseAudio
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "launcher-process.h"
#include "wsa-test-pulse.h"
#include "wstest.h"

G_BEGIN_DECLS

#define SIDECAR_TIMEOUT_MS 10000
#define SIDECAR_TONE_HZ 1000.0

/* Starts a private PulseAudio daemon (sink "speaker", source "microphone"
 * fed by null sink "micsink") and points this process and its children at
 * it; fails the test if it cannot. */
WsaTestPulse *sidecar_start_pulse (void);

/* Sets the NULL-terminated name, value pairs in this process's environment,
 * which children inherit (a NULL value unsets). */
void sidecar_setenv (const gchar * first_name, ...) G_GNUC_NULL_TERMINATED;

/* Runs `wsaudio run SOURCE/pipelines/@file` (set its port variable to 0
 * first) and waits until the launcher logs the port that the WebSocket
 * element @element of @pipeline listens on; returns it in @port. */
LauncherProcess *sidecar_run (const gchar * file, const gchar * pipeline,
    const gchar * element, guint * port);
/* The same with the pipeline file at @path. */
LauncherProcess *sidecar_run_path (const gchar * path,
    const gchar * pipeline, const gchar * element, guint * port);
/* Waits for the port line of @element of @pipeline in @proc's log. */
guint sidecar_wait_port (LauncherProcess * proc, const gchar * pipeline,
    const gchar * element);

/* gst_parse_launch (@description) set to PLAYING; fails on errors. */
GstElement *sidecar_pipeline_start (const gchar * description);
void sidecar_pipeline_stop (GstElement * pipeline);
/* Fails the test, with the message, if @pipeline posted an error. */
void sidecar_pipeline_check (GstElement * pipeline);

/* A 1 kHz tone (amplitude 0.5) played into the PulseAudio sink @device. */
GstElement *sidecar_tone_start (const gchar * device);

/* Audio from an appsink of F32LE samples, and where a tone starts in it. */
typedef struct
{
  GstElement *appsink;
  GArray *samples;              /* gfloat */
  gint rate;
  gint channels;
  gssize onset;                 /* first 10 ms over the threshold, or -1 */
} SidecarPcm;

void sidecar_pcm_init (SidecarPcm * pcm, GstElement * pipeline,
    const gchar * appsink_name);
void sidecar_pcm_clear (SidecarPcm * pcm);
/* Forgets what was received so far. */
void sidecar_pcm_reset (SidecarPcm * pcm);
/* Takes what the appsink has; TRUE once @seconds follow the onset of a
 * tone (RMS over 0.1). */
gboolean sidecar_pcm_has_tone (SidecarPcm * pcm, gdouble seconds);
/* Checks the @seconds after @settle seconds past the onset: the median
 * frequency of its 100 ms windows within 2 % of @hz, at least 70 % of the
 * windows within 2 % (dropouts spoil only theirs), and an RMS over 0.2. */
void sidecar_pcm_check_tone (SidecarPcm * pcm, gdouble settle,
    gdouble seconds, gdouble hz);
/* Checks that no 5 ms window of those seconds is (nearly) silent: a tone of
 * amplitude 0.5 has an RMS of 0.35, a dropout under 0.1. */
void sidecar_pcm_check_no_gaps (SidecarPcm * pcm, gdouble settle,
    gdouble seconds);

/* A WebSocket client of the speaker port decoding the stream
 * (websocketsrc in client mode ! tsdemux ! mpegaudioparse ! mpg123audiodec);
 * @ts_appsink adds a tee branch "ts" with the raw messages. */
GstElement *sidecar_listener_start (guint port, const gchar * query,
    gboolean ts_appsink);

/* "microphone" recorded at 44.1 kHz mono F32LE into appsink "pcm". */
GstElement *sidecar_recorder_start (void);
#define SIDECAR_RECORD_RATE 44100

/* A browser-like talker (wstest.h): a 1 kHz tone at @rate, paced in real
 * time from the main context; fails the test if it cannot connect. */
typedef WsTestTalker SidecarTalker;

void sidecar_talker_start (SidecarTalker * t, guint port,
    const gchar * query, gint rate);
void sidecar_talker_stop (SidecarTalker * t);

G_END_DECLS

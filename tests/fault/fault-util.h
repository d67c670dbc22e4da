/* wsaudio — fault tests: raw sockets, a connect storm, pipelines
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Hand-made clients on plain descriptors, for what a well-behaved client
 * library will not do: never finish a request, stop mid-frame, send
 * garbage. Blocking reads have a receive timeout so a test never hangs.
 */
#ifndef __FAULT_UTIL_H__
#define __FAULT_UTIL_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define FAULT_REQUEST_HEADERS "Host: 127.0.0.1\r\nUpgrade: websocket\r\n" \
  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
  "Sec-WebSocket-Version: 13\r\n"
#define FAULT_REQUEST "GET / HTTP/1.1\r\n" FAULT_REQUEST_HEADERS "\r\n"

/* The streaming websocketsink most fault tests attack: a live tone in
 * 10 ms buffers, element "ws" on an ephemeral port. Append properties as
 * more literal text (" max-clients=1"). */
#define FAULT_TONE_SINK "audiotestsrc is-live=true samplesperbuffer=441 ! " \
  "audio/x-raw,format=S16LE,rate=44100,channels=1 ! " \
  "websocketsink name=ws host=127.0.0.1 port=0"

/* A blocking TCP connection to 127.0.0.1:@port whose reads give up after
 * @timeout_ms; -1 when connect() fails (errno says why). */
gint fault_connect (guint port, guint timeout_ms);

/* Connects the socket @fd that the caller made beforehand (to connect
 * when no descriptor is left); FALSE when connect() fails. */
gboolean fault_connect_fd (gint fd, guint port);

gboolean fault_send (gint fd, const void *data, gsize len);

void fault_set_read_timeout (gint fd, guint timeout_ms);

/* Reads a response head; its status, 0 on EOF or reset, -1 on timeout. */
gint fault_read_status (gint fd);

/* Upgrades @fd with FAULT_REQUEST: TRUE on 101. */
gboolean fault_upgrade (gint fd);

/* Writes one client frame (@b0: FIN, RSV, opcode) with a payload length
 * field of @claimed_len but only @len bytes of @payload; @masked FALSE breaks
 * the masking rule. */
gboolean fault_send_frame_full (gint fd, guint8 b0, gboolean masked,
    guint64 claimed_len, const guint8 * payload, gsize len);
gboolean fault_send_frame (gint fd, guint8 b0, const guint8 * payload,
    gsize len);

/* Reads server frames until a close frame: its code (1005 without one), 0
 * on EOF or reset without one, -1 on timeout (of a read, or 5 s in all). */
gint fault_read_close (gint fd);

/* Reads and drops until EOF or reset: TRUE, or FALSE on timeout (of a
 * read, or 5 s in all). */
gboolean fault_wait_closed (gint fd);

/* Non-blocking: bytes waiting on @fd (read and dropped); *@closed set on
 * EOF or error. */
gsize fault_drain (gint fd, gboolean * closed);

/* Raises the soft RLIMIT_NOFILE to at least @need (up to the hard limit);
 * FALSE when the hard limit is lower. */
gboolean fault_raise_nofile (guint need, guint * hard);

/* The stat file of this process's thread named @name, opened (so that it
 * can be read when no descriptor is left); -1 when there is none. */
gint fault_thread_stat_open (const gchar * name);
/* The CPU time (user + system) it tells, in clock ticks; -1 on error. */
gint64 fault_thread_stat_ticks (gint fd);

/* A connect storm: @n non-blocking connects at once, each upgrading with
 * its own request and then counting the server's data frames; driven by
 * fault_storm_poll(). */
typedef struct _FaultStorm FaultStorm;

FaultStorm *fault_storm_new (guint port, guint n);
/* Processes what is ready within @timeout_ms. */
void fault_storm_poll (FaultStorm * storm, gint timeout_ms);
guint fault_storm_upgraded (FaultStorm * storm);
/* Upgraded and got at least one data message after it. */
guint fault_storm_receiving (FaultStorm * storm);
/* Lost (refused, reset, closed). */
guint fault_storm_dead (FaultStorm * storm);
void fault_storm_free (FaultStorm * storm);

/* A pipeline from @desc, its element "ws" (its port once bound) and a count
 * of the error messages on its bus. */
typedef struct
{
  GstElement *pipeline;
  GstElement *ws;
  guint port;
  gint errors;
} FaultPipeline;

void fault_pipeline_start (FaultPipeline * p, const gchar * desc);
void fault_pipeline_stop (FaultPipeline * p);

G_END_DECLS

#endif /* __FAULT_UTIL_H__ */

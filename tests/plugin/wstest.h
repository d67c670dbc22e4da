/* wsaudio — test helpers: a libsoup WebSocket client driven from the test
 * thread's main context, and condition waits with a timeout.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __WS_TEST_H__
#define __WS_TEST_H__

#include <gst/gst.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Iterates the thread-default main context until @cond holds or @timeout_ms
 * pass; evaluates to the last value of @cond
 * (evaluated once per round, so it may have side effects). Never sleeps blindly: each
 * iteration blocks until an event or at most 10 ms.  @timeout_ms stretches
 * like check's own timeouts (CK_TIMEOUT_MULTIPLIER, set under valgrind). */
#define WS_WAIT_UNTIL(cond, timeout_ms)                                     \
  ({                                                                        \
    gint64 _deadline = g_get_monotonic_time ()                              \
        + (timeout_ms) * 1000 * ws_test_timeout_multiplier ();              \
    gboolean _ok;                                                           \
    while (!(_ok = (cond)) && g_get_monotonic_time () < _deadline)          \
      ws_test_iterate ();                                                   \
    _ok;                                                                    \
  })

void ws_test_iterate (void);
gint64 ws_test_timeout_multiplier (void);

/* Connects to ws://127.0.0.1:@port@path_query (path_query like "/?rate=48000").
 * @headers: NULL-terminated name, value pairs to add, or NULL.
 * Returns the connection, or NULL with *status set to the HTTP status of the
 * refusal (or 0 when the connection itself failed). */
SoupWebsocketConnection *ws_test_connect (guint port, const gchar * path_query,
    const gchar * const *headers, guint * status);

/* The same over wss:// accepting any certificate. */
SoupWebsocketConnection *ws_test_connect_tls (guint port,
    const gchar * path_query, guint * status);

/* Collects binary messages of a connection into a list. Clearing it
 * disconnects it, so that a late "closed" never writes into a sink that went
 * out of scope. */
typedef struct
{
  SoupWebsocketConnection *conn;
  GPtrArray *messages;          /* GBytes */
  gsize total;
  gboolean closed;
  gushort close_code;
} WsTestSink;

void ws_test_sink_attach (WsTestSink * sink, SoupWebsocketConnection * conn);
void ws_test_sink_clear (WsTestSink * sink);

/* Element's current-port, waiting until it is bound. */
guint ws_test_port (GstElement * element);

/* The element's num-clients and (websocketsrc) bytes-received: what the
 * plugin and fault tests poll in their waits. */
guint ws_test_num_clients (GstElement * element);
guint64 ws_test_bytes_received (GstElement * element);

/* A hand-made client for what libsoup will not do: completes the upgrade
 * on a plain socket and returns it (blocking I/O), e.g. to never read or to
 * send malformed frames. @rcvbuf > 0 shrinks its receive buffer first. */
GSocketConnection *ws_test_raw_upgrade (guint port, gint rcvbuf);

/* Writes one frame the way a client does: @b0 is the first header byte
 * (FIN, RSV bits, opcode); @masked FALSE breaks the masking rule. Returns
 * FALSE when the write fails (the element may have closed already). */
gboolean ws_test_raw_send (GSocketConnection * conn, guint8 b0,
    gboolean masked, const guint8 * payload, gsize len);

/* Encodes one client frame into @frame, which has room for
 * WS_TEST_FRAME_HEADER_MAX + @len bytes; returns its size. The length field
 * says @claimed_len, which may differ from @len so that fault tests can
 * lie about it. One encoder for both raw clients (GIO here, plain
 * descriptors in fault-util.c). */
#define WS_TEST_FRAME_HEADER_MAX 14
gsize ws_test_frame_encode (guint8 * frame, guint8 b0, gboolean masked,
    guint64 claimed_len, const guint8 * payload, gsize len);

/* Reads one frame from a raw connection (blocking): its payload, its first
 * header byte in @b0; NULL on EOF or error. */
GBytes *ws_test_raw_read_frame (GSocketConnection * conn, guint8 * b0);

/* Reads from a raw connection until a close frame; returns its code, or 0
 * on EOF without one. Skips data frames. */
gushort ws_test_raw_read_close (GSocketConnection * conn);

/* A browser-like talker: one binary message of 128 F32LE samples per render
 * quantum of a tone (amplitude 0.5), paced in real time by a thread of its
 * own (as a browser's audio thread is), so that a test's main thread busy
 * analysing what it records cannot make it late. Its clock may run @speed
 * times ours (1.005: 0.5 % fast), and it may send in bursts every @burst_ms
 * (0: each quantum when due). The main thread may read @conn's state,
 * @sent and @messages while it runs (progress only). */
typedef struct
{
  SoupWebsocketConnection *conn;
  gint rate;
  gdouble speed;
  guint burst_ms;
  gdouble hz;
  gint64 start;                 /* monotonic, microseconds */
  guint64 sent;                 /* samples */
  guint messages;
  /* The talker's thread. */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  guint port;
  gchar *path_query;
  guint status;
  gboolean ready;
  gint stopping;                /* atomic */
  GMutex lock;
  GCond cond;
} WsTestTalker;

/* Connects to @port with @path_query and starts a 1 kHz tone at @rate;
 * FALSE (with *@status as ws_test_connect()) when the connection fails. */
gboolean ws_test_talker_start (WsTestTalker * t, guint port,
    const gchar * path_query, gint rate, guint * status);
/* The same with a clock @speed, @burst_ms and tone frequency @hz. */
gboolean ws_test_talker_start_full (WsTestTalker * t, guint port,
    const gchar * path_query, gint rate, gdouble speed, guint burst_ms,
    gdouble hz, guint * status);
/* Stops sending and closes the connection. */
void ws_test_talker_stop (WsTestTalker * t);

/* Resident memory of this process in KiB. */
gsize ws_test_rss_kib (void);

/* Open file descriptors and threads of this process. */
guint ws_test_count_fds (void);
guint ws_test_count_threads (void);

G_END_DECLS

#endif /* __WS_TEST_H__ */

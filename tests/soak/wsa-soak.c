/* wsaudio - soak driver: speaker listeners churning, a microphone talker
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   wsa-soak --pid PID --speaker PORT --microphone PORT --http PORT
 *            [--seconds 1800] [--sample-at 60] [--min 2] [--max 24]
 *            [--hold 8] [--talk-seconds 10] [--rate 48000] [--seed N]
 *            [--churn 1]
 *
 * Against a running launcher (tools/soak starts it): every second some
 * speaker listeners leave (half with a Close frame, half by dropping the
 * TCP connection) and others join, the count wandering between --min and
 * --max; each listener reads and checks that every message is whole
 * MPEG-TS packets.  One microphone talker sends F32LE mono messages of 128
 * samples (a 440 Hz tone) at --rate in real time, declared as
 * ?rate=RATE&channels=1&format=F32LE, and reconnects every --talk-seconds
 * (a clean close and a dropped connection in turn).  --churn 0 keeps the
 * listeners still (to tell the two kinds of churn apart).
 *
 * At --sample-at seconds and at the end the churn pauses with exactly
 * --hold listeners and the talker connected; once the launcher's /metrics
 * reports the same counts, VmRSS (/proc/PID/status) and the open file
 * descriptors (/proc/PID/fd) of PID are read.  Every descriptor belongs to
 * a client, a pipeline or the daemon, so at the same client count the end
 * value must equal the first (the driver waits up to 5 s for sockets the
 * server is still closing); the RSS may grow at most 5 %.  Prints a table
 * and exits 1 on any failure: a refused or dropped connection, a malformed
 * message, a listener that got nothing, a Close not answered within 3 s,
 * growth beyond the limits.  Every 30 s a progress line on stderr gives
 * VmRSS (and RssAnon), descriptors and threads of PID at that moment.
 *
 * One thread, one epoll loop, raw sockets (soak-conn.c): nothing between
 * the driver and what it measures.
 */
#define _GNU_SOURCE
#include "soak-conn.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 256
#define SAMPLES_PER_MESSAGE 128
#define CLOSE_TIMEOUT_S 3.0
#define MATCH_TIMEOUT_S 15.0
#define FD_SETTLE_S 5.0
#define LIVED_S 3.0             /* a listener this old must have had data */
#define TRACE_S 30.0

typedef enum
{
  PEER_LISTENER,
  PEER_TALKER,
  PEER_TICK,
} PeerKind;

typedef struct
{
  PeerKind kind;
  int in_use;
  int abrupt;                   /* leaves by dropping the connection */
  double closing_since;
  SoakConn conn;
} Peer;

typedef struct
{
  long rss_kib;
  long anon_kib;                /* of which anonymous (heap, stacks) */
  int fds;
  int listeners;
  double at;
} Sample;

typedef struct
{
  /* options */
  int pid, speaker_port, microphone_port, http_port;
  double seconds, sample_at, talk_seconds;
  int min, max, hold, rate, churn;
  unsigned seed;

  int epoll;
  struct sockaddr_in speaker_addr, microphone_addr;
  Peer listeners[MAX_LISTENERS];
  Peer talker, tick;
  double t0;

  /* the talker's session */
  uint64_t talk_sent;
  double phase;
  int talker_abrupt;

  /* results */
  uint64_t joined, left_clean, left_abrupt, refused, dropped, bad_messages,
      silent, close_timeouts, listener_bytes;
  int min_seen, max_seen;
  uint64_t talk_sessions, talk_messages, talk_errors;
  Sample samples[2];
  int n_samples;
  int errors_logged;
} Soak;

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die (const char *what)
{
  perror (what);
  exit (2);
}

/* One line per problem, the first 20 only: the counts tell the rest. */
static void
problem (Soak * s, const char *format, ...)
{
  va_list args;

  if (s->errors_logged++ >= 20)
    return;
  va_start (args, format);
  fprintf (stderr, "wsa-soak: %.1f s: ", now () - s->t0);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
}

static void
watch (Soak * s, Peer * p, uint32_t events, int op)
{
  struct epoll_event ev = {.events = events,.data.ptr = p };

  if (epoll_ctl (s->epoll, op, p->conn.fd, &ev) < 0)
    die ("epoll_ctl");
}

static void
peer_close (Soak * s, Peer * p)
{
  if (p->conn.fd >= 0)
    epoll_ctl (s->epoll, EPOLL_CTL_DEL, p->conn.fd, NULL);
  soak_conn_close (&p->conn);
  p->in_use = 0;
}

static int
peer_start (Soak * s, Peer * p, const struct sockaddr_in *addr)
{
  if (soak_conn_start (&p->conn, addr) < 0) {
    problem (s, "connect: %s", strerror (errno));
    return -1;
  }
  p->in_use = 1;
  p->closing_since = 0;
  watch (s, p, EPOLLOUT, EPOLL_CTL_ADD);
  return 0;
}

/* ---- listeners ---- */

static int
listener_count (Soak * s, int open_only)
{
  int i, n = 0;

  for (i = 0; i < MAX_LISTENERS; i++) {
    Peer *p = &s->listeners[i];

    if (p->in_use && p->conn.state != SOAK_CONN_CLOSING
        && (!open_only || p->conn.state == SOAK_CONN_OPEN))
      n++;
  }
  return n;
}

static int
closing_count (Soak * s)
{
  int i, n = 0;

  for (i = 0; i < MAX_LISTENERS; i++)
    n += s->listeners[i].in_use
        && s->listeners[i].conn.state == SOAK_CONN_CLOSING;
  return n;
}

static void
listener_join (Soak * s)
{
  int i;

  for (i = 0; i < MAX_LISTENERS; i++) {
    Peer *p = &s->listeners[i];

    if (p->in_use)
      continue;
    p->kind = PEER_LISTENER;
    p->abrupt = rand_r (&s->seed) % 2;
    if (peer_start (s, p, &s->speaker_addr) < 0)
      s->refused++;
    return;
  }
}

/* Accounts for a listener that is gone: it must have had data if it
 * lived long enough. */
static void
listener_done (Soak * s, Peer * p)
{
  SoakConn *c = &p->conn;

  s->listener_bytes += c->bytes;
  s->bad_messages += c->bad_messages;
  if (c->bad_messages > 0)
    problem (s, "listener: %llu messages that are not whole TS packets",
        (unsigned long long) c->bad_messages);
  if (c->opened > 0 && now () - c->opened >= LIVED_S && c->messages < 2) {
    s->silent++;
    problem (s, "listener: %llu messages in %.1f s",
        (unsigned long long) c->messages, now () - c->opened);
  }
  peer_close (s, p);
}

static void
listener_leave (Soak * s, Peer * p)
{
  if (p->abrupt) {
    s->left_abrupt++;
    listener_done (s, p);
    return;
  }
  if (soak_conn_send_close (&p->conn) < 0) {
    problem (s, "listener: cannot send Close");
    s->dropped++;
    listener_done (s, p);
    return;
  }
  p->closing_since = now ();
}

/* The index of a random open listener, or -1. */
static int
pick_open (Soak * s)
{
  int i, n = listener_count (s, 1), k;

  if (n == 0)
    return -1;
  k = rand_r (&s->seed) % n;
  for (i = 0; i < MAX_LISTENERS; i++) {
    Peer *p = &s->listeners[i];

    if (p->in_use && p->conn.state == SOAK_CONN_OPEN && k-- == 0)
      return i;
  }
  return -1;
}

/* Once a second: 1-2 leave, 1-2 join, towards a target that sweeps from
 * --min to --max and back every two minutes. */
static void
churn (Soak * s)
{
  double t = now () - s->t0;
  int target = s->min + (int) lround ((s->max - s->min)
      * (1 - cos (2 * M_PI * t / 120)) / 2);
  int count = listener_count (s, 0);
  int leave = 1 + rand_r (&s->seed) % 2, join = 1 + rand_r (&s->seed) % 2;
  int i;

  if (count - leave + join < target)
    join += target - (count - leave + join);
  else if (count - leave + join > target)
    leave += (count - leave + join) - target;
  if (count - leave < 0)
    leave = count;
  for (i = 0; i < leave; i++) {
    int k = pick_open (s);

    if (k >= 0)
      listener_leave (s, &s->listeners[k]);
  }
  for (i = 0; i < join && listener_count (s, 0) < s->max; i++)
    listener_join (s);
}

/* Exactly @n listeners (closing ones not counted). */
static void
set_listeners (Soak * s, int n)
{
  int count = listener_count (s, 0);

  for (; count > n; count--) {
    int k = pick_open (s);

    if (k < 0)
      break;
    listener_leave (s, &s->listeners[k]);
  }
  for (; count < n; count++)
    listener_join (s);
}

static void
on_listener (Soak * s, Peer * p, uint32_t events)
{
  SoakConnState before;
  const char *why = "";
  int r;

  if (p->conn.state == SOAK_CONN_CONNECTING) {
    if (soak_conn_send_upgrade (&p->conn, "127.0.0.1", s->speaker_port,
            "/") < 0) {
      s->refused++;
      problem (s, "listener: connect failed");
      peer_close (s, p);
      return;
    }
    watch (s, p, EPOLLIN, EPOLL_CTL_MOD);
    return;
  }
  before = p->conn.state;
  r = soak_conn_read (&p->conn, &why);
  if (before == SOAK_CONN_UPGRADING && p->conn.state == SOAK_CONN_OPEN)
    s->joined++;
  if (r == 0 && p->conn.state == SOAK_CONN_CLOSING && p->conn.got_close)
    r = 1;
  if (r == 0)
    return;
  if (p->conn.state == SOAK_CONN_CLOSING && (r == 1 || p->conn.got_close)) {
    s->left_clean++;
  } else if (p->conn.state == SOAK_CONN_UPGRADING) {
    s->refused++;
    problem (s, "listener: upgrade failed: %s: %.60s", r == 1 ? "EOF" : why,
        p->conn.response);
  } else {
    s->dropped++;
    problem (s, "listener dropped by the server after %.1f s: %s",
        now () - p->conn.opened, r == 1 ? "EOF" : why);
  }
  listener_done (s, p);
}

static void
listeners_expire (Soak * s)
{
  int i;

  for (i = 0; i < MAX_LISTENERS; i++) {
    Peer *p = &s->listeners[i];

    if (p->in_use && p->conn.state == SOAK_CONN_CLOSING
        && now () - p->closing_since > CLOSE_TIMEOUT_S) {
      s->close_timeouts++;
      problem (s, "listener: Close not answered in %.0f s", CLOSE_TIMEOUT_S);
      listener_done (s, p);
    }
  }
}

/* ---- the talker ---- */

static void
talker_connect (Soak * s)
{
  s->talker.kind = PEER_TALKER;
  s->talk_sent = 0;
  if (peer_start (s, &s->talker, &s->microphone_addr) < 0)
    s->talk_errors++;
}

static void
talker_send_due (Soak * s)
{
  SoakConn *c = &s->talker.conn;
  uint64_t due = (uint64_t) ((now () - c->opened) * s->rate
      / SAMPLES_PER_MESSAGE) + 1;
  float samples[SAMPLES_PER_MESSAGE];
  int i;

  for (; s->talk_sent < due; s->talk_sent++) {
    for (i = 0; i < SAMPLES_PER_MESSAGE; i++) {
      samples[i] = 0.25f * sinf (s->phase);
      s->phase = fmod (s->phase + 2 * M_PI * 440 / s->rate, 2 * M_PI);
    }
    if (soak_conn_send (c, 0x2, samples, sizeof samples) < 0) {
      s->talk_errors++;
      problem (s, "talker: write failed or blocked: %s", strerror (errno));
      peer_close (s, &s->talker);
      return;
    }
    s->talk_messages++;
  }
}

static void
talker_hang_up (Soak * s)
{
  s->talker_abrupt = !s->talker_abrupt;
  if (s->talker_abrupt) {
    peer_close (s, &s->talker);
    return;
  }
  s->talker.closing_since = now ();
  if (soak_conn_send_close (&s->talker.conn) < 0) {
    s->talk_errors++;
    problem (s, "talker: cannot send Close");
    peer_close (s, &s->talker);
  }
}

static void
on_talker (Soak * s, uint32_t events)
{
  Peer *p = &s->talker;
  SoakConnState before = p->conn.state;
  const char *why = "";
  int r;

  if (before == SOAK_CONN_CONNECTING) {
    char path[64];

    snprintf (path, sizeof path, "/?rate=%d&channels=1&format=F32LE",
        s->rate);
    if (soak_conn_send_upgrade (&p->conn, "127.0.0.1", s->microphone_port,
            path) < 0) {
      s->talk_errors++;
      problem (s, "talker: connect failed");
      peer_close (s, p);
      return;
    }
    watch (s, p, EPOLLIN, EPOLL_CTL_MOD);
    return;
  }
  r = soak_conn_read (&p->conn, &why);
  if (before == SOAK_CONN_UPGRADING && p->conn.state == SOAK_CONN_OPEN)
    s->talk_sessions++;
  if (r == 0 && !(p->conn.state == SOAK_CONN_CLOSING && p->conn.got_close))
    return;
  if (p->conn.state != SOAK_CONN_CLOSING) {
    s->talk_errors++;
    problem (s, "talker: %s: %s %.60s", p->conn.state == SOAK_CONN_OPEN
        ? "dropped by the server" : "upgrade failed",
        r == 1 ? "EOF" : why, p->conn.response);
  }
  peer_close (s, p);
}

/* On every tick: talks, hangs up after --talk-seconds (not while @hold),
 * reconnects at once. */
static void
talker_step (Soak * s, int hold)
{
  Peer *p = &s->talker;

  if (!p->in_use) {
    talker_connect (s);
    return;
  }
  if (p->conn.state == SOAK_CONN_CLOSING) {
    if (now () - p->closing_since > CLOSE_TIMEOUT_S) {
      s->talk_errors++;
      problem (s, "talker: Close not answered in %.0f s", CLOSE_TIMEOUT_S);
      peer_close (s, p);
    }
    return;
  }
  if (p->conn.state != SOAK_CONN_OPEN)
    return;
  talker_send_due (s);
  if (p->in_use && !hold && now () - p->conn.opened >= s->talk_seconds)
    talker_hang_up (s);
}

/* ---- measuring ---- */

/* The value of wsaudio_websocket_clients for @pipeline in @metrics. */
static int
metric_clients (const char *metrics, const char *pipeline)
{
  char key[128];
  const char *at;

  snprintf (key, sizeof key, "wsaudio_websocket_clients{pipeline=\"%s\"",
      pipeline);
  at = strstr (metrics, key);
  if (at == NULL || (at = strchr (at, '}')) == NULL)
    return -1;
  return atoi (at + 1);
}

/* GET /metrics of the launcher, blocking (a few ms on loopback). */
static int
fetch_metrics (Soak * s, char *out, size_t size)
{
  static const char request[] = "GET /metrics HTTP/1.0\r\n\r\n";
  struct sockaddr_in addr = s->speaker_addr;
  struct timeval timeout = { 2, 0 };
  size_t len = 0;
  ssize_t n;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  addr.sin_port = htons (s->http_port);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0
      || send (fd, request, sizeof request - 1, MSG_NOSIGNAL) < 0) {
    close (fd);
    return -1;
  }
  while (len < size - 1 && (n = recv (fd, out + len, size - 1 - len, 0)) > 0)
    len += n;
  out[len] = '\0';
  close (fd);
  return 0;
}

/* A "Key:   N" field of /proc/PID/status, -1 if absent. */
static long
status_field (int pid, const char *key)
{
  char path[64], line[256];
  size_t len = strlen (key);
  long value = -1;
  FILE *f;

  snprintf (path, sizeof path, "/proc/%d/status", pid);
  if ((f = fopen (path, "r")) == NULL)
    return -1;
  while (fgets (line, sizeof line, f))
    if (strncmp (line, key, len) == 0 && line[len] == ':') {
      value = atol (line + len + 1);
      break;
    }
  fclose (f);
  return value;
}

static int
count_fds (int pid)
{
  char path[64];
  struct dirent *e;
  int n = 0;
  DIR *d;

  snprintf (path, sizeof path, "/proc/%d/fd", pid);
  if ((d = opendir (path)) == NULL)
    return -1;
  while ((e = readdir (d)) != NULL)
    n += e->d_name[0] != '.';
  closedir (d);
  return n;
}

/* The sampling pause: TRUE once the clients are exactly --hold listeners
 * and the talker, as we see them and as the launcher reports them. */
static int
matched (Soak * s)
{
  char metrics[65536];

  if (listener_count (s, 1) != s->hold || listener_count (s, 0) != s->hold
      || closing_count (s) > 0 || !s->talker.in_use
      || s->talker.conn.state != SOAK_CONN_OPEN)
    return 0;
  if (fetch_metrics (s, metrics, sizeof metrics) < 0)
    return 0;
  return metric_clients (metrics, "speaker") == s->hold
      && metric_clients (metrics, "microphone") == 1;
}

static void
take_sample (Soak * s)
{
  Sample *m = &s->samples[s->n_samples];

  m->at = now () - s->t0;
  m->listeners = listener_count (s, 1);
  m->rss_kib = status_field (s->pid, "VmRSS");
  m->anon_kib = status_field (s->pid, "RssAnon");
  m->fds = count_fds (s->pid);
  if (m->rss_kib < 0 || m->fds < 0) {
    fprintf (stderr, "wsa-soak: process %d is gone\n", s->pid);
    exit (1);
  }
  s->n_samples++;
}

/* ---- the loop ---- */

static void
dispatch (Soak * s, struct epoll_event *ev)
{
  Peer *p = ev->data.ptr;
  uint64_t ticks;

  switch (p->kind) {
    case PEER_TICK:
      if (read (p->conn.fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
        die ("timerfd");
      break;
    case PEER_TALKER:
      on_talker (s, ev->events);
      break;
    case PEER_LISTENER:
      on_listener (s, p, ev->events);
      break;
  }
}

static void
start_tick (Soak * s)
{
  /* One talker message's worth: 128 / rate seconds. */
  long ns = (long) (1e9 * SAMPLES_PER_MESSAGE / s->rate);
  struct itimerspec spec = {.it_interval = {0, ns},.it_value = {0, ns} };

  s->tick.kind = PEER_TICK;
  s->tick.conn.fd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK
      | TFD_CLOEXEC);
  if (s->tick.conn.fd < 0 || timerfd_settime (s->tick.conn.fd, 0, &spec,
          NULL) < 0)
    die ("timerfd");
  watch (s, &s->tick, EPOLLIN, EPOLL_CTL_ADD);
}

/* Holds the clients at --hold until matched, then samples; at the end,
 * waits for the descriptors to come back to the first sample's count. */
static int
sample_phase (Soak * s, int last)
{
  double until = now () + MATCH_TIMEOUT_S, next_poll = 0;
  struct epoll_event events[64];
  int i, n, is_matched = 0;

  set_listeners (s, s->hold);
  while (now () < until) {
    n = epoll_wait (s->epoll, events, 64, 10);
    for (i = 0; i < n; i++)
      dispatch (s, &events[i]);
    talker_step (s, 1);
    listeners_expire (s);
    if (listener_count (s, 0) < s->hold)
      set_listeners (s, s->hold);
    if (now () < next_poll)
      continue;
    next_poll = now () + 0.1;
    if (!is_matched && !(is_matched = matched (s)))
      continue;
    if (!last || count_fds (s->pid) <= s->samples[0].fds
        || now () > until - MATCH_TIMEOUT_S + FD_SETTLE_S) {
      if (!matched (s)) {
        is_matched = 0;
        continue;
      }
      take_sample (s);
      return 0;
    }
  }
  problem (s, "the launcher never reported %d listeners and 1 talker",
      s->hold);
  return -1;
}

/* A progress line on stderr: the trend between the two samples, whatever
 * the client count is at that moment. */
static void
trace (Soak * s)
{
  fprintf (stderr, "wsa-soak: %4.0f s: VmRSS %ld KiB (anon %ld), %d fds, %ld threads, "
      "%d listeners, %llu joined, %llu talker sessions\n", now () - s->t0,
      status_field (s->pid, "VmRSS"), status_field (s->pid, "RssAnon"),
      count_fds (s->pid), status_field (s->pid, "Threads"),
      listener_count (s, 0),
      (unsigned long long) s->joined, (unsigned long long) s->talk_sessions);
}

static void
run (Soak * s)
{
  double next_churn, next_trace = s->t0 + TRACE_S, end = s->t0 + s->seconds;
  struct epoll_event events[64];
  int i, n, sampled_first = 0;

  start_tick (s);
  talker_connect (s);
  set_listeners (s, s->min);
  next_churn = s->t0 + 1;
  while (now () < end) {
    n = epoll_wait (s->epoll, events, 64, 10);
    for (i = 0; i < n; i++)
      dispatch (s, &events[i]);
    talker_step (s, 0);
    listeners_expire (s);
    if (now () >= next_churn) {
      if (s->churn)
        churn (s);
      next_churn += 1;
      n = listener_count (s, 0);
      s->min_seen = s->min_seen < 0 || n < s->min_seen ? n : s->min_seen;
      s->max_seen = n > s->max_seen ? n : s->max_seen;
    }
    if (now () >= next_trace) {
      trace (s);
      next_trace += TRACE_S;
    }
    if (!sampled_first && now () >= s->t0 + s->sample_at) {
      sampled_first = 1;
      if (sample_phase (s, 0) < 0)
        return;
      next_churn = now () + 1;
    }
  }
  if (sampled_first)
    sample_phase (s, 1);
}

/* Clean goodbyes, so that the launcher logs nothing unusual at the end. */
static void
finish (Soak * s)
{
  struct epoll_event events[64];
  double until;
  int i, n;

  for (i = 0; i < MAX_LISTENERS; i++)
    if (s->listeners[i].in_use && s->listeners[i].conn.state
        == SOAK_CONN_OPEN) {
      s->listeners[i].abrupt = 0;
      listener_leave (s, &s->listeners[i]);
    } else if (s->listeners[i].in_use
        && s->listeners[i].conn.state != SOAK_CONN_CLOSING) {
      peer_close (s, &s->listeners[i]);
    }
  if (s->talker.in_use && s->talker.conn.state == SOAK_CONN_OPEN) {
    s->talker_abrupt = 1;       /* talker_hang_up flips it: a Close */
    talker_hang_up (s);
  }
  until = now () + CLOSE_TIMEOUT_S + 1;
  while (now () < until && (closing_count (s) > 0 || s->talker.in_use)) {
    n = epoll_wait (s->epoll, events, 64, 10);
    for (i = 0; i < n; i++)
      dispatch (s, &events[i]);
    listeners_expire (s);
    if (s->talker.in_use)
      talker_step (s, 1);
  }
}

/* ---- the report ---- */

static int
report (Soak * s)
{
  const Sample *a = &s->samples[0], *b = &s->samples[1];
  uint64_t errors = s->refused + s->dropped + s->bad_messages + s->silent
      + s->close_timeouts + s->talk_errors;
  int ok = errors == 0 && s->n_samples == 2;

  printf ("\n%-34s %12s %12s %10s\n", "", "first sample", "end", "change");
  if (s->n_samples == 2) {
    double rss = 100.0 * (b->rss_kib - a->rss_kib) / a->rss_kib;

    printf ("%-34s %12.1f %12.1f\n", "at (s)", a->at, b->at);
    printf ("%-34s %12ld %12ld %+9.2f%%\n", "launcher VmRSS (KiB)",
        a->rss_kib, b->rss_kib, rss);
    printf ("%-34s %12ld %12ld %+9.2f%%\n", "  of which RssAnon (KiB)",
        a->anon_kib, b->anon_kib,
        100.0 * (b->anon_kib - a->anon_kib) / a->anon_kib);
    printf ("%-34s %12d %12d %+10d\n", "launcher open fds", a->fds, b->fds,
        b->fds - a->fds);
    printf ("%-34s %12d %12d\n", "speaker listeners (+1 talker)",
        a->listeners, b->listeners);
    if (rss > 5.0) {
      printf ("FAIL: RSS grew %.2f %% (limit 5 %%)\n", rss);
      ok = 0;
    }
    if (b->fds != a->fds) {
      printf ("FAIL: %d fds at the end, %d after the first minute, with the "
          "same clients\n", b->fds, a->fds);
      ok = 0;
    }
  } else {
    printf ("FAIL: %d of 2 samples taken\n", s->n_samples);
  }
  printf ("\n%-34s %12llu (%llu clean, %llu dropped by us)\n",
      "listeners joined", (unsigned long long) s->joined,
      (unsigned long long) s->left_clean, (unsigned long long) s->left_abrupt);
  printf ("%-34s %12llu\n", "listeners left",
      (unsigned long long) (s->left_clean + s->left_abrupt));
  printf ("%-34s %12d .. %d\n", "concurrent listeners", s->min_seen,
      s->max_seen);
  printf ("%-34s %12.1f\n", "MB received by listeners",
      s->listener_bytes / 1e6);
  printf ("%-34s %12llu (%llu reconnects)\n", "talker sessions",
      (unsigned long long) s->talk_sessions,
      (unsigned long long) (s->talk_sessions ? s->talk_sessions - 1 : 0));
  printf ("%-34s %12llu (%.1f s of audio)\n", "talker messages",
      (unsigned long long) s->talk_messages,
      (double) s->talk_messages * SAMPLES_PER_MESSAGE / s->rate);
  printf ("%-34s %12llu refused, %llu dropped, %llu malformed, %llu silent, "
      "%llu close timeouts, %llu talker\n", "client errors",
      (unsigned long long) s->refused, (unsigned long long) s->dropped,
      (unsigned long long) s->bad_messages, (unsigned long long) s->silent,
      (unsigned long long) s->close_timeouts,
      (unsigned long long) s->talk_errors);
  return ok ? 0 : 1;
}

static void
usage (void)
{
  fprintf (stderr, "usage: wsa-soak --pid PID --speaker PORT --microphone "
      "PORT --http PORT [--seconds S] [--sample-at S] [--min N] [--max N] "
      "[--hold N] [--talk-seconds S] [--rate HZ] [--seed N] [--churn 0|1]\n");
  exit (2);
}

static void
parse_options (Soak * s, int argc, char **argv)
{
  static const struct option options[] = {
    {"pid", 1, NULL, 'p'}, {"speaker", 1, NULL, 's'},
    {"microphone", 1, NULL, 'm'}, {"http", 1, NULL, 'h'},
    {"seconds", 1, NULL, 'S'}, {"sample-at", 1, NULL, 'a'},
    {"min", 1, NULL, 'n'}, {"max", 1, NULL, 'x'}, {"hold", 1, NULL, 'H'},
    {"talk-seconds", 1, NULL, 't'}, {"rate", 1, NULL, 'r'},
    {"seed", 1, NULL, 'e'}, {"churn", 1, NULL, 'c'}, {NULL, 0, NULL, 0}
  };
  int o;

  while ((o = getopt_long (argc, argv, "", options, NULL)) != -1) {
    switch (o) {
      case 'p': s->pid = atoi (optarg); break;
      case 's': s->speaker_port = atoi (optarg); break;
      case 'm': s->microphone_port = atoi (optarg); break;
      case 'h': s->http_port = atoi (optarg); break;
      case 'S': s->seconds = atof (optarg); break;
      case 'a': s->sample_at = atof (optarg); break;
      case 'n': s->min = atoi (optarg); break;
      case 'x': s->max = atoi (optarg); break;
      case 'H': s->hold = atoi (optarg); break;
      case 't': s->talk_seconds = atof (optarg); break;
      case 'r': s->rate = atoi (optarg); break;
      case 'e': s->seed = strtoul (optarg, NULL, 10); break;
      case 'c': s->churn = atoi (optarg); break;
      default: usage ();
    }
  }
  if (s->pid <= 0 || s->speaker_port <= 0 || s->microphone_port <= 0
      || s->http_port <= 0 || s->min < 1 || s->max < s->min
      || s->max > MAX_LISTENERS / 2 || s->hold < 1 || s->hold > s->max
      || s->rate <= 0 || s->seconds <= s->sample_at)
    usage ();
}

int
main (int argc, char **argv)
{
  static Soak soak;
  Soak *s = &soak;
  int i;

  s->seconds = 1800;
  s->sample_at = 60;
  s->min = 2;
  s->max = 24;
  s->hold = 8;
  s->talk_seconds = 10;
  s->rate = 48000;
  s->seed = 1;
  s->churn = 1;
  s->min_seen = -1;
  parse_options (s, argc, argv);
  for (i = 0; i < MAX_LISTENERS; i++)
    s->listeners[i].conn.fd = -1;
  s->talker.conn.fd = -1;
  s->speaker_addr.sin_family = AF_INET;
  s->speaker_addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  s->microphone_addr = s->speaker_addr;
  s->speaker_addr.sin_port = htons (s->speaker_port);
  s->microphone_addr.sin_port = htons (s->microphone_port);
  if ((s->epoll = epoll_create1 (EPOLL_CLOEXEC)) < 0)
    die ("epoll_create1");
  s->t0 = now ();
  run (s);
  finish (s);
  return report (s);
}

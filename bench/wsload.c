/* wsaudio bench — load client: N WebSocket (or raw TCP) listeners, reads only.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * wsload [options] HOST PORT N
 *   --raw            plain TCP: no HTTP upgrade, count bytes only (for
 *                    bench/floor)
 *   --pid PID        measure that server process over the window: CPU % of
 *                    one core (utime+stime from /proc/PID/stat) and RSS
 *   --window SEC     measurement window after everyone is in (default 10)
 *   --warmup SEC     settle time before the window (default 2)
 *   --inflight K     connects/upgrades in flight at once (default 512)
 *   --path P         request path (default /)
 *
 * Opens the N connections with non-blocking connect() and its own HTTP/1.1
 * upgrade (giving up on the rest after 120 s: "connected" says how many made
 * it), then only reads (epoll, level-triggered), parsing server frame
 * headers to count messages.  Prints one line of key=value:
 *   connected established_s first_byte_ms (client 0: connect() → first
 *   byte after the upgrade) first_audio_ms (→ first MPEG PES packet of
 *   stream id 0xC0, i.e. audio rather than PAT/PMT) msgs_per_s (median
 *   client) rate_min/rate_median (bytes/s per client over the window) starved (clients < 80 % of the median rate)
 *   dead (connections lost) cpu rss_kb (with --pid).
 * Says "wsload: K of N in" on stderr once the connections are set up.
 * Raises RLIMIT_NOFILE to N + 64 (up to the hard limit) itself. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { IDLE, CONNECTING, UPGRADING, OPEN, DEAD };

typedef struct {
  int fd, state;
  char resp[1024];
  int rlen;
  uint8_t hbuf[14];
  int hlen;
  uint64_t remain;
  uint64_t bytes, msgs, bytes_w0, msgs_w0;
  double t_start, t_first, t_audio;
} Conn;

static Conn *conns;
static int n_open, n_dead, n_pending;
static int n_total, raw, inflight_max = 512, ep;
static const char *host, *path = "/";
static int port;
static struct sockaddr_in addr;

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
  exit (1);
}

static void
kill_conn (Conn *c)
{
  if (c->fd >= 0) {
    epoll_ctl (ep, EPOLL_CTL_DEL, c->fd, NULL);
    close (c->fd);
  }
  c->fd = -1;
  if (c->state == OPEN)
    n_open--;
  else if (c->state != DEAD)
    n_pending--;
  if (c->state != DEAD)
    n_dead++;
  c->state = DEAD;
}

static void
start_conn (Conn *c)
{
  struct epoll_event ev = { .events = EPOLLOUT };
  int one = 1;

  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0)
    die ("socket");
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->t_start = now ();
  c->state = CONNECTING;
  n_pending++;
  if (connect (c->fd, (struct sockaddr *) &addr, sizeof addr) < 0
      && errno != EINPROGRESS) {
    perror ("connect");
    kill_conn (c);
    return;
  }
  ev.data.ptr = c;
  if (epoll_ctl (ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
    die ("epoll_ctl");
}

static void
send_upgrade (Conn *c)
{
  char req[512];
  int n = snprintf (req, sizeof req,
      "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n", path, host, port);
  if (write (c->fd, req, n) != n)
    kill_conn (c);
}

/* Counts messages in server-to-client frames. */
static void
count_frames (Conn *c, const uint8_t *d, size_t len)
{
  while (len > 0) {
    if (c->remain > 0) {
      size_t take = c->remain < len ? c->remain : len;
      c->remain -= take;
      d += take;
      len -= take;
      continue;
    }
    c->hbuf[c->hlen++] = *d++;
    len--;
    if (c->hlen >= 2) {
      int l7 = c->hbuf[1] & 0x7f;
      int need = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0)
          + ((c->hbuf[1] & 0x80) ? 4 : 0);
      if (c->hlen == need) {
        uint64_t pl = l7;
        int i;
        if (l7 == 126)
          pl = (c->hbuf[2] << 8) | c->hbuf[3];
        else if (l7 == 127)
          for (pl = 0, i = 0; i < 8; i++)
            pl = (pl << 8) | c->hbuf[2 + i];
        c->remain = pl;
        c->hlen = 0;
        if ((c->hbuf[0] & 0x0f) == 2 || (c->hbuf[0] & 0x0f) == 0)
          c->msgs++;
      }
    }
  }
}

static void
got_data (Conn *c, const uint8_t *d, size_t n)
{
  static const uint8_t pes_audio[4] = { 0, 0, 1, 0xc0 };

  if (c->t_first == 0)
    c->t_first = now ();
  /* The first MP2 PES packet (stream id 0xC0): audio, not stream headers. */
  if (c->t_audio == 0 && memmem (d, n, pes_audio, 4) != NULL)
    c->t_audio = now ();
  c->bytes += n;
  if (raw)
    c->msgs++;
  else
    count_frames (c, d, n);
}

static int
on_upgrade_data (Conn *c, const uint8_t *d, size_t n)
{
  char *end;
  size_t room = sizeof c->resp - 1 - c->rlen, take = n < room ? n : room;

  memcpy (c->resp + c->rlen, d, take);
  c->rlen += take;
  c->resp[c->rlen] = 0;
  end = strstr (c->resp, "\r\n\r\n");
  if (end == NULL) {
    if (c->rlen >= (int) sizeof c->resp - 1)
      return -1;
    return 0;
  }
  if (strncmp (c->resp, "HTTP/1.1 101", 12) != 0) {
    fprintf (stderr, "wsload: upgrade refused: %.40s\n", c->resp);
    return -1;
  }
  c->state = OPEN;
  n_pending--;
  n_open++;
  {
    size_t hdr = end + 4 - c->resp, rest = c->rlen - hdr;
    /* Bytes of the stream that came with the response. */
    size_t consumed_before = c->rlen - take;
    size_t off = hdr > consumed_before ? hdr - consumed_before : 0;
    (void) rest;
    if (off < n)
      got_data (c, d + off, n - off);
  }
  return 1;
}

static uint8_t rbuf[1 << 16];

static void
handle (Conn *c)
{
  ssize_t n;

  if (c->state == CONNECTING) {
    int err = 0;
    socklen_t l = sizeof err;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err) {
      errno = err;
      perror ("wsload: connect");
      kill_conn (c);
      return;
    }
    epoll_ctl (ep, EPOLL_CTL_MOD, c->fd, &ev);
    if (raw) {
      c->state = OPEN;
      n_pending--;
      n_open++;
    } else {
      c->state = UPGRADING;
      send_upgrade (c);
    }
    return;
  }
  for (;;) {
    n = read (c->fd, rbuf, sizeof rbuf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    if (n <= 0) {
      kill_conn (c);
      return;
    }
    if (c->state == UPGRADING) {
      int r = on_upgrade_data (c, rbuf, n);
      if (r < 0) {
        kill_conn (c);
        return;
      }
    } else {
      got_data (c, rbuf, n);
    }
    if (n < (ssize_t) sizeof rbuf)
      return;
  }
}

static void
proc_sample (int pid, double *cpu_s, long *rss_kb)
{
  char p[64], buf[4096], *s;
  FILE *f;
  unsigned long ut = 0, st = 0;
  int i;

  *cpu_s = 0;
  *rss_kb = 0;
  snprintf (p, sizeof p, "/proc/%d/stat", pid);
  if ((f = fopen (p, "r")) == NULL)
    return;
  if (fgets (buf, sizeof buf, f) && (s = strrchr (buf, ')'))) {
    /* fields after ")": 3=state ... 14=utime 15=stime */
    for (i = 3, s += 2; i < 14 && s; i++)
      s = strchr (s, ' ') + 1;
    sscanf (s, "%lu %lu", &ut, &st);
  }
  fclose (f);
  *cpu_s = (double) (ut + st) / sysconf (_SC_CLK_TCK);
  snprintf (p, sizeof p, "/proc/%d/status", pid);
  if ((f = fopen (p, "r")) == NULL)
    return;
  while (fgets (buf, sizeof buf, f))
    if (sscanf (buf, "VmRSS: %ld", rss_kb) == 1)
      break;
  fclose (f);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
pump (double until, int (*done) (void))
{
  struct epoll_event evs[256];
  int i, n;

  while (now () < until && !(done && done ())) {
    n = epoll_wait (ep, evs, 256, 50);
    for (i = 0; i < n; i++)
      handle (evs[i].data.ptr);
  }
}

static int next_to_start;

/* Keeps up to inflight_max connections being set up. */
static void
start_more (void)
{
  while (n_pending < inflight_max && next_to_start < n_total)
    start_conn (&conns[next_to_start++]);
}

static int
all_in (void)
{
  start_more ();
  return n_open + n_dead == n_total;
}

int
main (int argc, char **argv)
{
  double window = 10, warmup = 2, t0, t_in, w0, w1, cpu0 = 0, cpu1 = 0;
  double *rates, *mrates, med, first_ms = -1, audio_ms = -1;
  long rss = 0, rss0;
  int pid = 0, i, starved = 0, a = 1, n_ok;
  struct rlimit rl;
  struct hostent *he;

  for (; a < argc && strncmp (argv[a], "--", 2) == 0; a++) {
    if (!strcmp (argv[a], "--raw"))
      raw = 1;
    else if (!strcmp (argv[a], "--pid") && a + 1 < argc)
      pid = atoi (argv[++a]);
    else if (!strcmp (argv[a], "--window") && a + 1 < argc)
      window = atof (argv[++a]);
    else if (!strcmp (argv[a], "--warmup") && a + 1 < argc)
      warmup = atof (argv[++a]);
    else if (!strcmp (argv[a], "--inflight") && a + 1 < argc)
      inflight_max = atoi (argv[++a]);
    else if (!strcmp (argv[a], "--path") && a + 1 < argc)
      path = argv[++a];
    else {
      fprintf (stderr, "wsload: unknown option %s\n", argv[a]);
      return 64;
    }
  }
  if (argc - a != 3) {
    fprintf (stderr, "usage: wsload [--raw] [--pid PID] [--window S] "
        "[--warmup S] [--inflight K] [--path P] HOST PORT N\n");
    return 64;
  }
  host = argv[a];
  port = atoi (argv[a + 1]);
  n_total = atoi (argv[a + 2]);
  if ((he = gethostbyname (host)) == NULL) {
    fprintf (stderr, "wsload: unknown host %s\n", host);
    return 68;
  }
  addr.sin_family = AF_INET;
  addr.sin_port = htons (port);
  memcpy (&addr.sin_addr, he->h_addr, 4);

  /* N descriptors on this side: raise the soft limit to what we need. */
  getrlimit (RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < (rlim_t) n_total + 64) {
    rl.rlim_cur = (rlim_t) n_total + 64 > rl.rlim_max ? rl.rlim_max
        : (rlim_t) n_total + 64;
    if (setrlimit (RLIMIT_NOFILE, &rl) < 0)
      die ("setrlimit");
  }
  if (rl.rlim_cur < (rlim_t) n_total + 16) {
    fprintf (stderr, "wsload: RLIMIT_NOFILE hard limit %lu < %d clients\n",
        (unsigned long) rl.rlim_max, n_total);
    return 71;
  }
  conns = calloc (n_total, sizeof *conns);
  for (i = 0; i < n_total; i++)
    conns[i].fd = -1;
  if ((ep = epoll_create1 (0)) < 0)
    die ("epoll_create1");

  t0 = now ();
  pump (t0 + 120, all_in);
  t_in = now ();
  /* bench/run starts its latency probe on this line. */
  fprintf (stderr, "wsload: %d of %d in\n", n_open, n_total);
  pump (now () + warmup, NULL);
  if (conns[0].t_first > 0)
    first_ms = (conns[0].t_first - conns[0].t_start) * 1000;
  if (conns[0].t_audio > 0)
    audio_ms = (conns[0].t_audio - conns[0].t_start) * 1000;
  for (i = 0; i < n_total; i++) {
    conns[i].bytes_w0 = conns[i].bytes;
    conns[i].msgs_w0 = conns[i].msgs;
  }
  if (pid)
    proc_sample (pid, &cpu0, &rss0);
  w0 = now ();
  pump (w0 + window, NULL);
  w1 = now ();
  if (pid)
    proc_sample (pid, &cpu1, &rss);

  rates = calloc (n_total, sizeof *rates);
  mrates = calloc (n_total, sizeof *mrates);
  for (i = 0; i < n_total; i++) {
    rates[i] = (conns[i].bytes - conns[i].bytes_w0) / (w1 - w0);
    mrates[i] = (conns[i].msgs - conns[i].msgs_w0) / (w1 - w0);
  }
  qsort (rates, n_total, sizeof *rates, cmp_double);
  qsort (mrates, n_total, sizeof *mrates, cmp_double);
  med = rates[n_total / 2];
  for (i = 0; i < n_total; i++)
    if (rates[i] < 0.8 * med)
      starved++;
  n_ok = n_open;
  printf ("clients=%d connected=%d dead=%d established_s=%.2f "
      "first_byte_ms=%.1f first_audio_ms=%.1f msgs_per_s=%.1f rate_min=%.0f rate_median=%.0f "
      "starved=%d cpu=%.1f rss_kb=%ld\n", n_total, n_ok, n_dead,
      t_in - t0, first_ms, audio_ms, mrates[n_total / 2], rates[0], med, starved,
      pid ? 100.0 * (cpu1 - cpu0) / (w1 - w0) : -1.0, rss);
  return 0;
}

/* wsaudio bench — the raw-socket floor of fan-out.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * floor [--size BYTES] [--interval-us US] PORT
 *
 * Accepts any number of TCP clients on 127.0.0.1:PORT and send()s the same
 * BYTES-byte message (default 1316, 7 TS packets) every US microseconds
 * (default 52000) to every client: the least work any fan-out server can do
 * per message and client.  Non-blocking; a client whose socket is full
 * loses that message (counted).  Reads nothing; a client that hangs up is
 * dropped.  Raises RLIMIT_NOFILE to the hard limit itself.  Prints
 * "listening PORT" once ready; runs until killed. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  size_t size = 1316;
  long interval = 52000;
  int a = 1, lfd, tfd, ep, one = 1, *fds = NULL, nfds = 0, cap = 0, i, n;
  struct sockaddr_in sa = { .sin_family = AF_INET };
  struct itimerspec its = { 0 };
  struct epoll_event ev, evs[64];
  struct rlimit rl;
  char *msg;
  unsigned long dropped = 0;

  for (; a < argc - 1; a++) {
    if (!strcmp (argv[a], "--size") && a + 1 < argc - 1)
      size = atol (argv[++a]);
    else if (!strcmp (argv[a], "--interval-us") && a + 1 < argc - 1)
      interval = atol (argv[++a]);
    else
      break;
  }
  if (a != argc - 1) {
    fprintf (stderr, "usage: floor [--size B] [--interval-us US] PORT\n");
    return 64;
  }
  getrlimit (RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit (RLIMIT_NOFILE, &rl);
  msg = malloc (size);
  memset (msg, 0x47, size);
  lfd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  setsockopt (lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sa.sin_port = htons (atoi (argv[a]));
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (lfd, (struct sockaddr *) &sa, sizeof sa) < 0
      || listen (lfd, 4096) < 0) {
    perror ("floor: bind/listen");
    return 71;
  }
  tfd = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK);
  its.it_value.tv_nsec = its.it_interval.tv_nsec = (interval % 1000000) * 1000;
  its.it_value.tv_sec = its.it_interval.tv_sec = interval / 1000000;
  timerfd_settime (tfd, 0, &its, NULL);
  ep = epoll_create1 (0);
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  epoll_ctl (ep, EPOLL_CTL_ADD, lfd, &ev);
  ev.data.fd = tfd;
  epoll_ctl (ep, EPOLL_CTL_ADD, tfd, &ev);
  printf ("listening %s\n", argv[a]);
  fflush (stdout);
  for (;;) {
    n = epoll_wait (ep, evs, 64, -1);
    for (i = 0; i < n; i++) {
      if (evs[i].data.fd == lfd) {
        int c;
        while ((c = accept4 (lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt (c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          if (nfds == cap)
            fds = realloc (fds, (cap = cap ? 2 * cap : 1024) * sizeof *fds);
          fds[nfds++] = c;
        }
      } else {
        uint64_t ticks;
        int j;
        if (read (tfd, &ticks, sizeof ticks) < 0)
          continue;
        for (j = 0; j < nfds; j++) {
          ssize_t w = send (fds[j], msg, size, MSG_NOSIGNAL);
          if (w < 0 && (errno == EPIPE || errno == ECONNRESET)) {
            close (fds[j]);
            fds[j--] = fds[--nfds];
          } else if (w != (ssize_t) size) {
            dropped++;
          }
        }
      }
    }
  }
  return 0;
}

/* wsaudio bench — a minimal blocking WebSocket client for the probes.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include "wsconn.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* What came after the upgrade response in the same read. */
static uint8_t carry[4096];
static size_t carry_len, carry_off;

double
ws_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
dial (const char *host, int port)
{
  struct addrinfo hints = { .ai_family = AF_INET,.ai_socktype = SOCK_STREAM };
  struct addrinfo *ai;
  char service[16];
  int fd, one = 1;

  snprintf (service, sizeof service, "%d", port);
  if (getaddrinfo (host, service, &hints, &ai) != 0) {
    fprintf (stderr, "wsconn: unknown host %s\n", host);
    return -1;
  }
  fd = socket (AF_INET, SOCK_STREAM, 0);
  if (fd >= 0 && connect (fd, ai->ai_addr, ai->ai_addrlen) < 0) {
    fprintf (stderr, "wsconn: connect %s:%d: %m\n", host, port);
    close (fd);
    fd = -1;
  }
  freeaddrinfo (ai);
  if (fd >= 0)
    setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

int
ws_open (const char *host, int port, const char *path)
{
  char req[1024], resp[4096];
  size_t len = 0;
  char *end;
  int fd, n;

  if ((fd = dial (host, port)) < 0)
    return -1;
  n = snprintf (req, sizeof req,
      "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n", path, host, port);
  if (write (fd, req, n) != n)
    goto fail;
  while ((end = memmem (resp, len, "\r\n\r\n", 4)) == NULL) {
    ssize_t r = read (fd, resp + len, sizeof resp - 1 - len);
    if (r <= 0 || (len += r) >= sizeof resp - 1)
      goto fail;
  }
  if (strncmp (resp, "HTTP/1.1 101", 12) != 0) {
    fprintf (stderr, "wsconn: upgrade refused: %.40s\n", resp);
    goto fail;
  }
  carry_off = 0;
  carry_len = len - (end + 4 - resp);
  memcpy (carry, end + 4, carry_len);
  return fd;

fail:
  fprintf (stderr, "wsconn: no WebSocket upgrade from %s:%d\n", host, port);
  close (fd);
  return -1;
}

static int
read_full (int fd, uint8_t * buf, size_t len)
{
  while (len > 0) {
    ssize_t r;

    if (carry_off < carry_len) {
      r = carry_len - carry_off < len ? carry_len - carry_off : len;
      memcpy (buf, carry + carry_off, r);
      carry_off += r;
    } else if ((r = read (fd, buf, len)) <= 0) {
      return -1;
    }
    buf += r;
    len -= r;
  }
  return 0;
}

long
ws_read_message (int fd, uint8_t * buf, size_t cap)
{
  for (;;) {
    uint8_t h[8], skip[512];
    uint64_t len;
    int op, i;

    if (read_full (fd, h, 2) < 0)
      return -1;
    op = h[0] & 0x0f;
    len = h[1] & 0x7f;
    if (len >= 126) {
      int n = len == 126 ? 2 : 8;
      if (read_full (fd, h, n) < 0)
        return -1;
      for (len = 0, i = 0; i < n; i++)
        len = (len << 8) | h[i];
    }
    if (op == 8)
      return -1;
    if (op < 3 && len <= cap) {
      if (read_full (fd, buf, len) < 0)
        return -1;
      return len;
    }
    while (len > 0) {
      size_t n = len < sizeof skip ? len : sizeof skip;
      if (read_full (fd, skip, n) < 0)
        return -1;
      len -= n;
    }
  }
}

int
ws_send_binary (int fd, const void *data, size_t len)
{
  static const uint8_t key[4] = { 0x12, 0x34, 0x56, 0x78 };
  uint8_t h[14], body[65536];
  struct iovec iov[2];
  size_t hl = 2, i;

  if (len > sizeof body)
    return -1;
  h[0] = 0x82;
  if (len < 126) {
    h[1] = 0x80 | len;
  } else {
    h[1] = 0x80 | 126;
    h[2] = len >> 8;
    h[3] = len & 0xff;
    hl = 4;
  }
  memcpy (h + hl, key, 4);
  hl += 4;
  for (i = 0; i < len; i++)
    body[i] = ((const uint8_t *) data)[i] ^ key[i & 3];
  iov[0].iov_base = h;
  iov[0].iov_len = hl;
  iov[1].iov_base = body;
  iov[1].iov_len = len;
  return writev (fd, iov, 2) == (ssize_t) (hl + len) ? 0 : -1;
}

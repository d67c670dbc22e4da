/* wsaudio - soak driver: one WebSocket client connection on a raw socket
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Does its own HTTP/1.1 upgrade and frame parsing (RFC 6455) so that the
 * driver needs nothing but libc and can hold many connections in one epoll
 * loop.  Server data frames are checked to be whole MPEG-TS packets (the
 * speaker stream); pings are answered; masks are random per frame.
 */
#define _GNU_SOURCE
#include "soak-conn.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TS_PACKET 188

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
soak_conn_start (SoakConn * c, const struct sockaddr_in *addr)
{
  int one = 1;

  memset (c, 0, sizeof *c);
  c->started = now ();
  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    return -1;
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->state = SOAK_CONN_CONNECTING;
  if (connect (c->fd, (const struct sockaddr *) addr, sizeof *addr) < 0
      && errno != EINPROGRESS) {
    soak_conn_close (c);
    return -1;
  }
  return 0;
}

static int
write_all (int fd, const uint8_t * data, size_t len)
{
  while (len > 0) {
    ssize_t n = send (fd, data, len, MSG_NOSIGNAL);

    if (n < 0 && errno == EINTR)
      continue;
    /* Loopback to a server that reads: a full buffer is a failure. */
    if (n <= 0)
      return -1;
    data += n;
    len -= n;
  }
  return 0;
}

int
soak_conn_send_upgrade (SoakConn * c, const char *host, int port,
    const char *path)
{
  static const char b64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint8_t nonce[16];
  char key[25], request[512];
  int err = 0, i, n;
  socklen_t len = sizeof err;

  if (getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0)
    return -1;
  if (getrandom (nonce, sizeof nonce, 0) != sizeof nonce)
    return -1;
  /* 16 bytes: 5 groups of 3 and one byte left, "==" padded. */
  for (i = 0; i < 5; i++) {
    uint32_t v = nonce[3 * i] << 16 | nonce[3 * i + 1] << 8 | nonce[3 * i + 2];

    key[4 * i] = b64[v >> 18];
    key[4 * i + 1] = b64[(v >> 12) & 63];
    key[4 * i + 2] = b64[(v >> 6) & 63];
    key[4 * i + 3] = b64[v & 63];
  }
  key[20] = b64[nonce[15] >> 2];
  key[21] = b64[(nonce[15] & 3) << 4];
  key[22] = key[23] = '=';
  key[24] = '\0';
  n = snprintf (request, sizeof request, "GET %s HTTP/1.1\r\n"
      "Host: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
      path, host, port, key);
  if (write_all (c->fd, (const uint8_t *) request, n) < 0)
    return -1;
  c->state = SOAK_CONN_UPGRADING;
  return 0;
}

int
soak_conn_send (SoakConn * c, uint8_t opcode, const void *payload,
    size_t len)
{
  uint8_t frame[14 + 1024];
  size_t head = 2, i;
  uint8_t *mask;

  if (len > 1024)
    return -1;
  frame[0] = 0x80 | opcode;
  if (len < 126) {
    frame[1] = 0x80 | len;
  } else {
    frame[1] = 0x80 | 126;
    frame[2] = len >> 8;
    frame[3] = len & 0xff;
    head = 4;
  }
  mask = frame + head;
  if (getrandom (mask, 4, 0) != 4)
    return -1;
  head += 4;
  for (i = 0; i < len; i++)
    frame[head + i] = ((const uint8_t *) payload)[i] ^ mask[i % 4];
  return write_all (c->fd, frame, head + len);
}

int
soak_conn_send_close (SoakConn * c)
{
  static const uint8_t normal[2] = { 1000 >> 8, 1000 & 0xff };

  c->state = SOAK_CONN_CLOSING;
  return soak_conn_send (c, 0x8, normal, sizeof normal);
}

void
soak_conn_close (SoakConn * c)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  c->state = SOAK_CONN_DONE;
}

/* A frame header is complete: sets up reading its payload. */
static int
begin_frame (SoakConn * c, const char **why)
{
  uint8_t l7 = c->header[1] & 0x7f;
  uint64_t len = l7;
  int i;

  if (c->header[1] & 0x80) {
    *why = "masked server frame";
    return -1;
  }
  if (l7 == 126)
    len = c->header[2] << 8 | c->header[3];
  else if (l7 == 127)
    for (len = 0, i = 0; i < 8; i++)
      len = len << 8 | c->header[2 + i];
  c->opcode = c->header[0] & 0x0f;
  c->frame_len = c->remain = len;
  c->header_len = 0;
  c->control_len = 0;
  if (c->opcode >= 0x8 && len > sizeof c->control) {
    *why = "control frame too long";
    return -1;
  }
  if (c->opcode < 0x8) {
    c->messages++;
    c->bytes += len;
    c->first_pending = len > 0;
    if (len % TS_PACKET != 0)
      c->bad_messages++;
  }
  return 0;
}

/* The whole payload of a frame has arrived. */
static int
end_frame (SoakConn * c, const char **why)
{
  if (c->opcode == 0x8) {
    c->got_close = 1;
  } else if (c->opcode == 0x9) {
    if (soak_conn_send (c, 0xa, c->control, c->control_len) < 0) {
      *why = "cannot answer a ping";
      return -1;
    }
  }
  return 0;
}

static int
parse_frames (SoakConn * c, const uint8_t * d, size_t len, const char **why)
{
  while (len > 0) {
    if (c->remain > 0) {
      size_t take = c->remain < len ? c->remain : len;

      if (c->first_pending) {
        if (d[0] != 0x47)
          c->bad_messages++;
        c->first_pending = 0;
      }
      if (c->opcode >= 0x8) {
        memcpy (c->control + c->control_len, d, take);
        c->control_len += take;
      }
      c->remain -= take;
      d += take;
      len -= take;
      if (c->remain == 0 && end_frame (c, why) < 0)
        return -1;
      continue;
    }
    c->header[c->header_len++] = *d++;
    len--;
    if (c->header_len >= 2) {
      uint8_t l7 = c->header[1] & 0x7f;
      size_t need = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0)
          + ((c->header[1] & 0x80) ? 4 : 0);

      if (c->header_len == need) {
        if (begin_frame (c, why) < 0)
          return -1;
        if (c->remain == 0 && end_frame (c, why) < 0)
          return -1;
      }
    }
  }
  return 0;
}

/* Collects the HTTP response; what follows its end is frames. */
static int
parse_response (SoakConn * c, const uint8_t * d, size_t len,
    const char **why)
{
  size_t room = sizeof c->response - 1 - c->response_len;
  size_t take = len < room ? len : room, head;
  char *end;

  memcpy (c->response + c->response_len, d, take);
  c->response_len += take;
  c->response[c->response_len] = '\0';
  end = strstr (c->response, "\r\n\r\n");
  if (end == NULL) {
    if (c->response_len == sizeof c->response - 1) {
      *why = "response too long";
      return -1;
    }
    return 0;
  }
  if (strncmp (c->response, "HTTP/1.1 101 ", 13) != 0) {
    *why = "upgrade refused";
    return -1;
  }
  c->state = SOAK_CONN_OPEN;
  c->opened = now ();
  /* Bytes of this read past the header: frames. */
  head = end + 4 - c->response;
  head -= c->response_len - take;
  return parse_frames (c, d + head, len - head, why);
}

int
soak_conn_read (SoakConn * c, const char **why)
{
  uint8_t buf[16384];
  ssize_t n;

  for (;;) {
    n = recv (c->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return 0;
    if (n < 0) {
      *why = strerror (errno);
      return -1;
    }
    if (n == 0)
      return 1;
    if (c->state == SOAK_CONN_UPGRADING) {
      if (parse_response (c, buf, n, why) < 0)
        return -1;
    } else if (parse_frames (c, buf, n, why) < 0) {
      return -1;
    }
  }
}

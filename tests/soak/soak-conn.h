/* wsaudio - soak driver: one WebSocket client connection on a raw socket
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

typedef enum
{
  SOAK_CONN_CONNECTING,         /* non-blocking connect() in flight */
  SOAK_CONN_UPGRADING,          /* request sent, waiting for 101 */
  SOAK_CONN_OPEN,
  SOAK_CONN_CLOSING,            /* our Close sent, waiting for the server's */
  SOAK_CONN_DONE,               /* socket closed */
} SoakConnState;

typedef struct
{
  int fd;
  SoakConnState state;
  double started;               /* CLOCK_MONOTONIC seconds */
  double opened;                /* when the upgrade completed */

  char response[1024];          /* the HTTP response, until its end */
  size_t response_len;

  uint8_t header[14];           /* the frame header being read */
  size_t header_len;
  uint8_t opcode;
  uint64_t remain;              /* payload bytes of this frame still to come */
  uint64_t frame_len;
  int first_pending;            /* the frame's first payload byte not seen */
  uint8_t control[125];         /* payload of a control frame */
  size_t control_len;

  uint64_t messages;            /* data frames */
  uint64_t bytes;               /* data payload bytes */
  uint64_t bad_messages;        /* data frames that are not whole TS packets */
  int got_close;                /* the server sent a Close frame */
} SoakConn;

/* Starts a non-blocking connect(); the caller watches fd for EPOLLOUT. */
int soak_conn_start (SoakConn * c, const struct sockaddr_in * addr);

/* On EPOLLOUT while connecting: checks the connect() and sends the upgrade
 * request for @path.  0, or -1 when the connection failed. */
int soak_conn_send_upgrade (SoakConn * c, const char *host, int port,
    const char *path);

/* On EPOLLIN: reads what is there.  0 while the connection lives, 1 when the
 * server closed it (EOF), -1 on an error or a refused upgrade (with a reason
 * in @why). */
int soak_conn_read (SoakConn * c, const char **why);

/* Sends one masked frame; 0, or -1 when it could not be written whole. */
int soak_conn_send (SoakConn * c, uint8_t opcode, const void *payload,
    size_t len);

/* Sends Close (1000) and moves to CLOSING. */
int soak_conn_send_close (SoakConn * c);

void soak_conn_close (SoakConn * c);

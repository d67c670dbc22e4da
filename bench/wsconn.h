/* wsaudio bench — a minimal blocking WebSocket client (RFC 6455) for the
 * latency probes.  SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef WSCONN_H
#define WSCONN_H

#include <stddef.h>
#include <stdint.h>

/* Connects to HOST:PORT and upgrades on PATH; returns the socket (TCP_NODELAY)
 * or -1 with a message on stderr.  Bytes of the stream that came with the
 * response are kept for ws_read_message. */
int ws_open (const char *host, int port, const char *path);

/* Reads the next data message's payload into BUF (up to CAP bytes, the rest
 * is dropped); returns its length, or -1 at close or error.  Control frames
 * are skipped. */
long ws_read_message (int fd, uint8_t * buf, size_t cap);

/* Sends one masked binary message; returns 0, or -1 on error. */
int ws_send_binary (int fd, const void *data, size_t len);

/* CLOCK_MONOTONIC in seconds. */
double ws_now (void);

#endif

/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_ACCEPT_H__
#define __GST_WS_ACCEPT_H__

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The accept loop of a listening socket, in place of libsoup's: libsoup
 * 3.2 stops accepting for good after the first failed accept() (EMFILE),
 * and gives a client any time it likes to send its upgrade request. Here
 * each connection (after the TLS handshake when there is a certificate) is
 * handed to SoupServer with soup_server_accept_iostream(), and closed if
 * its upgrade is not complete within the timeout. Out of descriptors, new
 * connections are refused (a spare descriptor is given up to accept and
 * close them) or, failing that, accepting pauses briefly: never a busy
 * loop. Runs in the thread-default main context of gst_ws_acceptor_new(). */
typedef struct _GstWsAcceptor GstWsAcceptor;

/* How long accepting pauses when not even the spare descriptor helps. */
#define GST_WS_ACCEPT_PAUSE_MS 100

/* @listener: a listening socket (reffed). @tls: the certificate for wss://,
 * or NULL. @timeout_ms: 0 for no handshake timeout. */
G_GNUC_INTERNAL
GstWsAcceptor *gst_ws_acceptor_new (GSocket * listener, SoupServer * soup,
    GTlsCertificate * tls, guint timeout_ms, const gchar * name);

/* Stops accepting and forgets the connections still in their handshake
 * (libsoup closes them as it disconnects). */
G_GNUC_INTERNAL
void gst_ws_acceptor_free (GstWsAcceptor * acceptor);

/* @stream, as stolen from libsoup, completed its upgrade: its handshake
 * timeout no longer applies. */
G_GNUC_INTERNAL
void gst_ws_acceptor_upgraded (GstWsAcceptor * acceptor, GIOStream * stream);

G_END_DECLS

#endif /* __GST_WS_ACCEPT_H__ */

/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_FRAME_H__
#define __GST_WS_FRAME_H__

#include <glib.h>

G_BEGIN_DECLS

/* RFC 6455 framing as a server needs it: building unmasked frames, and
 * reading the masked frames a client sends into whole messages. No I/O here:
 * bytes in, events out. */

#define GST_WS_OP_CONTINUATION 0x0
#define GST_WS_OP_TEXT 0x1
#define GST_WS_OP_BINARY 0x2
#define GST_WS_OP_CLOSE 0x8
#define GST_WS_OP_PING 0x9
#define GST_WS_OP_PONG 0xA

#define GST_WS_CLOSE_NORMAL 1000
#define GST_WS_CLOSE_GOING_AWAY 1001
#define GST_WS_CLOSE_PROTOCOL_ERROR 1002
#define GST_WS_CLOSE_UNSUPPORTED_DATA 1003
#define GST_WS_CLOSE_NO_STATUS 1005
#define GST_WS_CLOSE_BAD_DATA 1007
#define GST_WS_CLOSE_POLICY_VIOLATION 1008
#define GST_WS_CLOSE_TOO_BIG 1009
#define GST_WS_CLOSE_TRY_AGAIN_LATER 1013

/* The longest unmasked header: 2 bytes + 64-bit length. */
#define GST_WS_MAX_SERVER_HEADER 10
#define GST_WS_MAX_CONTROL_PAYLOAD 125

/* A frame to send: its header, and its payload shared read-only. */
typedef struct
{
  guint8 header[GST_WS_MAX_SERVER_HEADER];
  guint header_len;
  GBytes *payload;
} GstWsFrame;

G_GNUC_INTERNAL
guint gst_ws_frame_header (guint8 * out, guint8 opcode, guint64 payload_len);

/* Takes @payload. */
G_GNUC_INTERNAL
void gst_ws_frame_init (GstWsFrame * frame, guint8 opcode, GBytes * payload);

G_GNUC_INTERNAL
void gst_ws_frame_init_close (GstWsFrame * frame, gushort code,
    const gchar * reason);

G_GNUC_INTERNAL
void gst_ws_frame_clear (GstWsFrame * frame);

/* Header and payload bytes. */
G_GNUC_INTERNAL
gsize gst_ws_frame_size (const GstWsFrame * frame);

typedef enum
{
  GST_WS_EVENT_NONE,
  GST_WS_EVENT_MESSAGE,         /* opcode, message: a whole data message */
  GST_WS_EVENT_PING,            /* payload/len: answer with a pong */
  GST_WS_EVENT_PONG,
  GST_WS_EVENT_CLOSE,           /* code: the peer's close status */
  GST_WS_EVENT_ERROR            /* code: close the connection with it */
} GstWsEventType;

typedef struct
{
  GstWsEventType type;
  gushort code;
  guint8 opcode;                /* GST_WS_OP_TEXT or GST_WS_OP_BINARY */
  GBytes *message;              /* transfer full: gst_ws_event_clear() */
  const guint8 *payload;        /* control frames: valid until the next feed */
  guint len;
} GstWsEvent;

typedef struct
{
  guint8 header[14];
  guint have;                   /* header bytes read */
  guint need;                   /* header bytes this frame has */
  guint8 opcode;
  gboolean fin;
  guint64 remaining;            /* payload bytes still to come */
  guint64 pos;                  /* payload bytes read, for unmasking */
  guint8 control[GST_WS_MAX_CONTROL_PAYLOAD];
  gsize max_message;            /* 0: data payloads are skipped */
  guint8 message_opcode;        /* of the open data message, 0 if none */
  guint8 *message;              /* what arrived of it (max_message > 0) */
  gsize message_len;
  gsize message_alloc;
  guint8 utf8_need;             /* skipped text: continuation bytes due */
  guint8 utf8_lo, utf8_hi;      /* the range of the next one */
  gboolean failed;
} GstWsFrameReader;

/* @max_message: the largest data message accepted (1009 beyond it), or 0 to
 * skip data payloads without storing them. */
G_GNUC_INTERNAL
void gst_ws_frame_reader_init (GstWsFrameReader * reader, gsize max_message);

G_GNUC_INTERNAL
void gst_ws_frame_reader_clear (GstWsFrameReader * reader);

G_GNUC_INTERNAL
gsize gst_ws_frame_reader_feed (GstWsFrameReader * reader,
    const guint8 * data, gsize len, GstWsEvent * event);

G_GNUC_INTERNAL
void gst_ws_event_clear (GstWsEvent * event);

G_END_DECLS

#endif /* __GST_WS_FRAME_H__ */

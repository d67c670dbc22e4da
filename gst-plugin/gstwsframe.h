/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_WS_FRAME_H__
#define __GST_WS_FRAME_H__

#include <glib.h>

G_BEGIN_DECLS

/* RFC 6455 framing, as far as a server that only sends needs it: building
 * unmasked server frames, and reading the masked frames a client sends
 * (control frames matter; data frames are skipped without being stored). */

#define GST_WS_OP_CONTINUATION 0x0
#define GST_WS_OP_TEXT 0x1
#define GST_WS_OP_BINARY 0x2
#define GST_WS_OP_CLOSE 0x8
#define GST_WS_OP_PING 0x9
#define GST_WS_OP_PONG 0xA

#define GST_WS_CLOSE_NORMAL 1000
#define GST_WS_CLOSE_GOING_AWAY 1001
#define GST_WS_CLOSE_PROTOCOL_ERROR 1002
#define GST_WS_CLOSE_NO_STATUS 1005
#define GST_WS_CLOSE_POLICY_VIOLATION 1008
#define GST_WS_CLOSE_TOO_BIG 1009

/* The longest unmasked header: 2 bytes + 64-bit length. */
#define GST_WS_MAX_SERVER_HEADER 10
#define GST_WS_MAX_CONTROL_PAYLOAD 125

G_GNUC_INTERNAL
guint gst_ws_frame_header (guint8 * out, guint8 opcode, guint64 payload_len);

G_GNUC_INTERNAL
GBytes *gst_ws_frame_control (guint8 opcode, const guint8 * payload, gsize len);

G_GNUC_INTERNAL
GBytes *gst_ws_frame_close (gushort code, const gchar * reason);

typedef enum
{
  GST_WS_EVENT_NONE,
  GST_WS_EVENT_PING,            /* payload/len: answer with a pong */
  GST_WS_EVENT_PONG,
  GST_WS_EVENT_CLOSE,           /* code: the peer's close status */
  GST_WS_EVENT_ERROR            /* code: close the connection with it */
} GstWsEventType;

typedef struct
{
  GstWsEventType type;
  gushort code;
  const guint8 *payload;        /* valid until the next feed */
  guint len;
} GstWsEvent;

typedef struct
{
  guint8 header[14];
  guint have;                   /* header bytes read */
  guint need;                   /* header bytes this frame has */
  guint8 opcode;
  guint64 remaining;            /* payload bytes still to come */
  guint64 pos;                  /* payload bytes read, for unmasking */
  guint8 control[GST_WS_MAX_CONTROL_PAYLOAD];
  gboolean in_message;          /* a fragmented data message is open */
  gboolean failed;
} GstWsFrameReader;

G_GNUC_INTERNAL
void gst_ws_frame_reader_init (GstWsFrameReader * reader);

G_GNUC_INTERNAL
gsize gst_ws_frame_reader_feed (GstWsFrameReader * reader,
    const guint8 * data, gsize len, GstWsEvent * event);

G_END_DECLS

#endif /* __GST_WS_FRAME_H__ */

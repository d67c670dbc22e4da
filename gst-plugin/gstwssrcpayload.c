/* wsaudio — WebSocket elements for GStreamer
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* The pure part of websocketsrc's client handling (gstwssrcclients.c):
 * what a client declares in its query, and its messages carried over into
 * whole frames. Both take what a browser sends as it is. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "gstwssrcpayload.h"

static gboolean
parse_uint_param (GHashTable * query, const gchar * key, guint min, guint max,
    guint * value)
{
  const gchar *text = g_hash_table_lookup (query, key);
  guint64 parsed;

  if (text == NULL)
    return TRUE;
  /* Digits only: GLib skips a leading vertical tab. */
  if (!g_ascii_isdigit (*text)
      || !g_ascii_string_to_unsigned (text, 10, min, max, &parsed, NULL))
    return FALSE;
  *value = parsed;
  return TRUE;
}

/* Applies ?rate=&channels=&format= to @info; FALSE when one is invalid. */
static gboolean
apply_declaration (GstAudioInfo * info, GHashTable * query, gboolean * changed)
{
  guint old_rate = GST_AUDIO_INFO_RATE (info), rate = old_rate;
  guint old_channels = GST_AUDIO_INFO_CHANNELS (info), channels = old_channels;
  GstAudioFormat format = GST_AUDIO_INFO_FORMAT (info);
  const gchar *name = g_hash_table_lookup (query, "format");

  if (!parse_uint_param (query, "rate", 1, GST_WS_SRC_MAX_DECLARED_RATE, &rate)
      || !parse_uint_param (query, "channels", 1,
          GST_WS_SRC_MAX_DECLARED_CHANNELS, &channels))
    return FALSE;
  if (name != NULL) {
    if (g_strcmp0 (name, "F32LE") != 0 && g_strcmp0 (name, "S16LE") != 0)
      return FALSE;
    format = gst_audio_format_from_string (name);
  }
  *changed = rate != old_rate || channels != old_channels
      || format != GST_AUDIO_INFO_FORMAT (info);
  if (*changed)
    gst_audio_info_set_format (info, format, rate, channels, NULL);
  return TRUE;
}

gboolean
gst_ws_src_raw_audio_info (GstAudioInfo * info, const GstCaps * caps)
{
  return gst_audio_info_from_caps (info, caps)
      && GST_AUDIO_INFO_FORMAT (info) != GST_AUDIO_FORMAT_ENCODED;
}

GstCaps *
gst_ws_src_declared_caps (const GstCaps * property, GHashTable * query)
{
  GstCaps *caps = gst_caps_fixate (gst_caps_copy (property));
  GstAudioInfo info;
  gboolean changed = FALSE;

  if (query == NULL || !gst_ws_src_raw_audio_info (&info, caps))
    return caps;
  if (!apply_declaration (&info, query, &changed)) {
    gst_caps_unref (caps);
    return NULL;
  }
  if (changed) {
    gst_caps_unref (caps);
    caps = gst_audio_info_to_caps (&info);
  }
  return caps;
}

GBytes *
gst_ws_src_align_frames (GByteArray * carry, guint bpf, GBytes * message)
{
  gsize size, total, whole, used;
  const guint8 *data = g_bytes_get_data (message, &size);
  guint8 *out;

  if (carry->len == 0 && size % bpf == 0)
    return size > 0 ? g_bytes_ref (message) : NULL;
  total = carry->len + size;
  whole = total - total % bpf;
  if (whole == 0) {
    g_byte_array_append (carry, data, size);
    return NULL;
  }
  used = whole - carry->len;
  out = g_malloc (whole);
  if (carry->len > 0)
    memcpy (out, carry->data, carry->len);
  memcpy (out + carry->len, data, used);
  g_byte_array_set_size (carry, 0);
  g_byte_array_append (carry, data + used, size - used);
  return g_bytes_new_take (out, whole);
}

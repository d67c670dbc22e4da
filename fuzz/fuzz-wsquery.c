/* wsaudio — fuzz targets
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* The format a websocketsrc client declares in its query
 * (?rate=48000&channels=1&format=F32LE), decoded by soup_form_decode() as
 * SoupServer does, applied to each of a few caps properties
 * (gst_ws_src_declared_caps()). Input: the query string, as it follows the
 * '?'. Checks, besides memory safety: the result is fixed caps; with raw
 * audio caps, a declaration is refused exactly when a value is not a plain
 * decimal in range or an unknown format, and otherwise is what comes out. */
#include <string.h>
#include <libsoup/soup.h>
#include <gst/audio/audio.h>

#include "gstwssrcpayload.h"
#include "fuzz-common.h"

static const gchar *const properties[] = {
  "audio/x-raw,format=F32LE,rate=44100,channels=1,layout=interleaved",
  "audio/x-raw,format=S16LE,rate=48000,channels=2,layout=interleaved",
  ("audio/x-raw,format=S16LE,rate=[8000,96000],channels=[1,2],"
      "layout=interleaved"),
  "audio/mpeg,mpegversion=1,layer=2",
  "application/octet-stream",
};

static GstCaps *property_caps[G_N_ELEMENTS (properties)];

/* The value of @key when absent (-1), a plain decimal within [min, max]
 * (its value), or anything else (-2). */
static gint64
expected_uint (GHashTable * query, const gchar * key, guint min, guint max)
{
  const gchar *text = g_hash_table_lookup (query, key), *p;
  guint64 v = 0;

  if (text == NULL)
    return -1;
  if (*text == '\0')
    return -2;
  for (p = text; *p; p++) {
    if (!g_ascii_isdigit (*p))
      return -2;
    v = v * 10 + (*p - '0');
    if (v > max)
      return -2;
  }
  return v < min ? -2 : (gint64) v;
}

static void
check_raw (GstCaps * property, GHashTable * query, GstCaps * caps)
{
  GstAudioInfo before, after;
  gint64 rate = expected_uint (query, "rate", 1, GST_WS_SRC_MAX_DECLARED_RATE);
  gint64 channels = expected_uint (query, "channels", 1,
      GST_WS_SRC_MAX_DECLARED_CHANNELS);
  const gchar *format = g_hash_table_lookup (query, "format");
  gboolean valid = rate != -2 && channels != -2 && (format == NULL
      || strcmp (format, "F32LE") == 0 || strcmp (format, "S16LE") == 0);
  GstCaps *fixed = gst_caps_fixate (gst_caps_copy (property));

  g_assert (gst_audio_info_from_caps (&before, fixed));
  gst_caps_unref (fixed);
  g_assert ((caps != NULL) == valid);
  if (caps == NULL)
    return;
  g_assert (gst_audio_info_from_caps (&after, caps));
  g_assert_cmpint (GST_AUDIO_INFO_RATE (&after), ==,
      rate >= 0 ? rate : GST_AUDIO_INFO_RATE (&before));
  g_assert_cmpint (GST_AUDIO_INFO_CHANNELS (&after), ==,
      channels >= 0 ? channels : GST_AUDIO_INFO_CHANNELS (&before));
  g_assert_cmpint (GST_AUDIO_INFO_FORMAT (&after), ==,
      format ? gst_audio_format_from_string (format) :
      GST_AUDIO_INFO_FORMAT (&before));
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  GHashTable *query = soup_form_decode (text);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (properties); i++) {
    GstCaps *caps = gst_ws_src_declared_caps (property_caps[i], query);
    GstStructure *st = gst_caps_get_structure (property_caps[i], 0);

    if (caps != NULL)
      g_assert (gst_caps_is_fixed (caps));
    if (gst_structure_has_name (st, "audio/x-raw"))
      check_raw (property_caps[i], query, caps);
    else
      g_assert (caps != NULL && gst_caps_is_equal (caps, property_caps[i]));
    gst_clear_caps (&caps);
  }
  g_hash_table_unref (query);
  return 0;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  guint i;

  fuzz_init ();
  for (i = 0; i < G_N_ELEMENTS (properties); i++)
    property_caps[i] = gst_caps_from_string (properties[i]);
  return 0;
}

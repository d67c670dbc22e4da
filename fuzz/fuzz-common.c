/* wsaudio — fuzz targets
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "fuzz-common.h"

static gchar *tmpdir;

static void
remove_tmpdir (void)
{
  GDir *dir = g_dir_open (tmpdir, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename (tmpdir, name, NULL);

    g_unlink (path);
  }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (tmpdir);
}

/* GLib stops a program on a fatal message with a breakpoint trap, which
 * libFuzzer does not catch: abort instead, so that the input is saved. */
static GLogWriterOutput
abort_on_warnings (GLogLevelFlags level, const GLogField * fields,
    gsize n_fields, gpointer data)
{
  g_log_writer_standard_streams (level, fields, n_fields, data);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL |
          G_LOG_LEVEL_WARNING))
    abort ();
  return G_LOG_WRITER_HANDLED;
}

const gchar *
fuzz_init (void)
{
  g_autofree gchar *registry = NULL;

  if (tmpdir != NULL)
    return tmpdir;
  tmpdir = g_dir_make_tmp ("wsaudio-fuzz-XXXXXX", NULL);
  g_assert (tmpdir != NULL);
  atexit (remove_tmpdir);
  registry = g_build_filename (tmpdir, "registry.bin", NULL);
  g_setenv ("GST_REGISTRY_1_0", registry, TRUE);
  g_setenv ("GST_PLUGIN_SYSTEM_PATH_1_0", "", TRUE);
  g_setenv ("GST_PLUGIN_PATH_1_0", "", TRUE);
  g_setenv ("GST_REGISTRY_FORK", "no", TRUE);
  gst_init (NULL, NULL);
  g_log_set_writer_func (abort_on_warnings, NULL, NULL);
  return tmpdir;
}

guint
fuzz_take_u8 (FuzzInput * in)
{
  guint v;

  if (in->len == 0)
    return 0;
  v = in->data[0];
  in->data++;
  in->len--;
  return v;
}

guint
fuzz_take_u16 (FuzzInput * in)
{
  guint hi = fuzz_take_u8 (in);

  return hi << 8 | fuzz_take_u8 (in);
}

const guint8 *
fuzz_take_bytes (FuzzInput * in, gsize max, gsize * n)
{
  const guint8 *p = in->data;

  *n = MIN (max, in->len);
  in->data += *n;
  in->len -= *n;
  return p;
}

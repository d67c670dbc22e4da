/* wsaudio — fuzz targets
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __FUZZ_COMMON_H__
#define __FUZZ_COMMON_H__

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

/* Once per process: GStreamer without any plugin (nothing to scan, and
 * no registry outside a private temporary directory), and every
 * g_critical or g_warning an abort, so that a failed precondition is a
 * finding like a crash. Returns that private directory. */
const gchar *fuzz_init (void);

/* Reads a fuzz input from the front as a script of numbers and slices. */
typedef struct
{
  const guint8 *data;
  gsize len;
} FuzzInput;

guint fuzz_take_u8 (FuzzInput * in);
guint fuzz_take_u16 (FuzzInput * in);
/* Up to @max bytes (fewer at the end); *@n tells how many. */
const guint8 *fuzz_take_bytes (FuzzInput * in, gsize max, gsize * n);

G_END_DECLS

#endif /* __FUZZ_COMMON_H__ */

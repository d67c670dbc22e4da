/* wsaudio — fuzz targets
 * Copyright (C) 2026 wsaudio developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* Runs a fuzz target on files, without libFuzzer: the test suite replays
 * the seed corpora and the inputs of past findings (fuzz/regressions/)
 * with any compiler. Arguments: files, or directories of them. */
#include <stdio.h>

#include "fuzz-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static guint
replay (const gchar * path)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *data = NULL;
  gsize len;
  GDir *dir;
  const gchar *name;
  guint n = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
    if (!g_file_get_contents (path, &data, &len, &error))
      g_error ("%s", error->message);
    LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
    return 1;
  }
  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *file = g_build_filename (path, name, NULL);

    n += replay (file);
  }
  g_dir_close (dir);
  return n;
}

int
main (int argc, char **argv)
{
  guint n = 0;
  int i;

  LLVMFuzzerInitialize (&argc, &argv);
  for (i = 1; i < argc; i++)
    if (g_file_test (argv[i], G_FILE_TEST_EXISTS))
      n += replay (argv[i]);
  printf ("replayed %u inputs\n", n);
  return n > 0 ? 0 : 1;
}

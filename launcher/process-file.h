/* wsaudio - process files
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "keyfile-loader.h"

G_BEGIN_DECLS

#define WSA_PROCESS_FILE_SUFFIX ".process"
#define WSA_DEFAULT_STOP_TIMEOUT_MS 2000
#define WSA_DEFAULT_READY_TIMEOUT_MS 10000

typedef struct
{
  gchar *path;
  gchar *name;
  gchar *description;
  gchar *exec;                  /* expanded command line, as written */
  GStrv argv;                   /* argv[0]: the program, resolved */
  WsaRestartPolicy restart;
  guint restart_delay_ms;
  guint restart_max_delay_ms;
  guint stop_timeout_ms;        /* SIGTERM, then SIGKILL after this */
  gchar *ready_socket;          /* ready once it accepts; NULL: at once */
  guint ready_timeout_ms;       /* how long pipelines wait for it */
} WsaProcessConfig;

gboolean wsa_is_process_file (const gchar * path);

WsaProcessConfig *wsa_process_config_load (const gchar * path,
    const gchar * const *envp, GError ** error);
void wsa_process_config_free (WsaProcessConfig * config);
gboolean wsa_process_config_equal (const WsaProcessConfig * a,
    const WsaProcessConfig * b);
gchar *wsa_process_config_command_line (const WsaProcessConfig * config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaProcessConfig, wsa_process_config_free)

G_END_DECLS

/* wsaudio - the pipeline and process files named on the command line
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "pipeline-file.h"
#include "process-file.h"

G_BEGIN_DECLS

typedef struct
{
  GPtrArray *configs;           /* WsaPipelineConfig *: the valid files */
  GPtrArray *processes;         /* WsaProcessConfig *: the valid files */
  GPtrArray *invalid_paths;     /* gchar *: files with a problem */
  GPtrArray *problems;          /* gchar *: one line per problem */
  gboolean missing_input;       /* a PATH did not exist or was empty */
} WsaConfigSet;

WsaConfigSet *wsa_config_set_load (const gchar * const *paths,
    const gchar * const *envp, gboolean instantiate);
void wsa_config_set_free (WsaConfigSet * set);
gboolean wsa_config_set_has_path (WsaConfigSet * set, const gchar * path);

/* What a SIGHUP did, file by file. */
typedef struct
{
  guint kept, changed, added, stopped;
} WsaReloadCounts;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaConfigSet, wsa_config_set_free)

G_END_DECLS

/* wsaudio - pipeline files
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "keyfile-loader.h"

#include <gst/gst.h>

G_BEGIN_DECLS

#define WSA_DEFAULT_IDLE_TIMEOUT_MS 10000
#define WSA_DEFAULT_STALL_TIMEOUT_MS 0

typedef struct
{
  gchar *path;
  gchar *name;
  gchar *description;
  gchar *launch;                /* expanded gst-launch-1.0 line */
  WsaRestartPolicy restart;
  guint restart_delay_ms;
  guint restart_max_delay_ms;
  gchar *on_demand;             /* name of a websocketsink, or NULL */
  guint idle_timeout_ms;
  guint stall_timeout_ms;       /* 0: no stall detection */
  guint launch_line;            /* where keys are, for later errors */
  guint on_demand_line;
} WsaPipelineConfig;

WsaPipelineConfig *wsa_pipeline_config_load (const gchar * path,
    const gchar * const *envp, GError ** error);
void wsa_pipeline_config_free (WsaPipelineConfig * config);
gboolean wsa_pipeline_config_equal (const WsaPipelineConfig * a,
    const WsaPipelineConfig * b);
GstElement *wsa_pipeline_config_instantiate (const WsaPipelineConfig * config,
    GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaPipelineConfig, wsa_pipeline_config_free)

G_END_DECLS

/* wsaudio - /healthz and /metrics documents
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both are rendered from the supervisors' current state in the main context;
 * the WebSocket elements' counters are read from their properties.
 *
 * /healthz: {"status":"ok"|"failing","pipelines":[{"name":..,"file":..,
 *   "state":..,"restarts":N,"clients":N|null,"reason":..}, ...],
 *   "processes":[{"name":..,"file":..,"state":..,"restarts":N,
 *   "pid":N|null,"reason":..}, ...]}
 * /metrics: Prometheus text format 0.0.4, see PIPELINE-FILES.md.
 */
#include "report.h"

#include "ws-elements.h"

static void
json_string (GString * out, const gchar * value)
{
  const gchar *p;

  if (value == NULL) {
    g_string_append (out, "null");
    return;
  }
  g_string_append_c (out, '"');
  for (p = value; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_printf (out, "\\%c", *p);
    else if ((guchar) * p < 0x20)
      g_string_append_printf (out, "\\u%04x", (guchar) * p);
    else
      g_string_append_c (out, *p);
  }
  g_string_append_c (out, '"');
}

/* One /healthz entry, of either kind: they differ only in @key. */
typedef struct
{
  const gchar *name;
  const gchar *file;
  const gchar *state;
  guint restarts;
  const gchar *key;             /* "clients" or "pid" */
  gint value;                   /* of @key; < 0 for null */
  const gchar *reason;
} JsonEntry;

static void
json_entry (GString * out, const JsonEntry * e)
{
  g_string_append (out, "{\"name\":");
  json_string (out, e->name);
  g_string_append (out, ",\"file\":");
  json_string (out, e->file);
  g_string_append (out, ",\"state\":");
  json_string (out, e->state);
  g_string_append_printf (out, ",\"restarts\":%u,\"%s\":", e->restarts, e->key);
  if (e->value < 0)
    g_string_append (out, "null");
  else
    g_string_append_printf (out, "%d", e->value);
  g_string_append (out, ",\"reason\":");
  json_string (out, e->reason);
  g_string_append_c (out, '}');
}

/* "clients": -1 (null) when the pipeline has no WebSocket element. */
static void
json_pipeline (GString * out, WsaSupervisor * sup)
{
  JsonEntry e = {
    .name = wsa_supervisor_get_name (sup),
    .file = wsa_supervisor_get_config (sup)->path,
    .state = wsa_state_to_string (wsa_supervisor_get_state (sup)),
    .restarts = wsa_supervisor_get_restarts (sup),
    .key = "clients",
    .value = wsa_supervisor_get_clients (sup),
    .reason = wsa_supervisor_get_reason (sup),
  };

  json_entry (out, &e);
}

/* "pid": null unless a child is running (or stopping). */
static void
json_process (GString * out, WsaProcessSupervisor * sup)
{
  gint pid = wsa_process_supervisor_get_pid (sup);
  JsonEntry e = {
    .name = wsa_process_supervisor_get_name (sup),
    .file = wsa_process_supervisor_get_config (sup)->path,
    .state = wsa_process_state_to_string (wsa_process_supervisor_get_state
        (sup)),
    .restarts = wsa_process_supervisor_get_restarts (sup),
    .key = "pid",
    .value = pid > 0 ? pid : -1,
    .reason = wsa_process_supervisor_get_reason (sup),
  };

  json_entry (out, &e);
}

static gboolean
all_healthy (GPtrArray * pipelines, GPtrArray * processes)
{
  guint i;

  for (i = 0; i < pipelines->len; i++)
    if (wsa_state_is_failing (wsa_supervisor_get_state
            (g_ptr_array_index (pipelines, i))))
      return FALSE;
  for (i = 0; processes && i < processes->len; i++)
    if (wsa_process_state_is_failing (wsa_process_supervisor_get_state
            (g_ptr_array_index (processes, i))))
      return FALSE;
  return TRUE;
}

gchar *
wsa_report_health (GPtrArray * pipelines, GPtrArray * processes,
    gboolean * healthy)
{
  GString *out = g_string_new (NULL);
  guint i;

  *healthy = all_healthy (pipelines, processes);
  g_string_append_printf (out, "{\"status\":\"%s\",\"pipelines\":[",
      *healthy ? "ok" : "failing");
  for (i = 0; i < pipelines->len; i++) {
    if (i > 0)
      g_string_append_c (out, ',');
    json_pipeline (out, g_ptr_array_index (pipelines, i));
  }
  g_string_append (out, "],\"processes\":[");
  for (i = 0; processes && i < processes->len; i++) {
    if (i > 0)
      g_string_append_c (out, ',');
    json_process (out, g_ptr_array_index (processes, i));
  }
  g_string_append (out, "]}\n");
  return g_string_free (out, FALSE);
}

static void
metric_header (GString * out, const gchar * name, const gchar * type,
    const gchar * help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
      name, type);
}

static void
metrics_states (GString * out, GPtrArray * supervisors)
{
  guint i;
  WsaState state;

  metric_header (out, "wsaudio_pipeline_state", "gauge",
      "1 for the state each pipeline is in, 0 for the others.");
  for (i = 0; i < supervisors->len; i++) {
    WsaSupervisor *sup = g_ptr_array_index (supervisors, i);

    for (state = 0; state <= WSA_STATE_LAST; state++)
      g_string_append_printf (out,
          "wsaudio_pipeline_state{pipeline=\"%s\",state=\"%s\"} %d\n",
          wsa_supervisor_get_name (sup), wsa_state_to_string (state),
          wsa_supervisor_get_state (sup) == state);
  }
}

static void
metrics_restarts (GString * out, GPtrArray * supervisors)
{
  guint i;

  metric_header (out, "wsaudio_pipeline_restarts_total", "counter",
      "Restarts of each pipeline since it was loaded.");
  for (i = 0; i < supervisors->len; i++) {
    WsaSupervisor *sup = g_ptr_array_index (supervisors, i);

    g_string_append_printf (out,
        "wsaudio_pipeline_restarts_total{pipeline=\"%s\"} %u\n",
        wsa_supervisor_get_name (sup), wsa_supervisor_get_restarts (sup));
  }
}

static void
metrics_processes (GString * out, GPtrArray * processes)
{
  guint i;
  WsaProcessState state;

  metric_header (out, "wsaudio_process_state", "gauge",
      "1 for the state each supervised process is in, 0 for the others.");
  for (i = 0; processes && i < processes->len; i++) {
    WsaProcessSupervisor *sup = g_ptr_array_index (processes, i);

    for (state = 0; state <= WSA_PROCESS_STATE_LAST; state++)
      g_string_append_printf (out,
          "wsaudio_process_state{process=\"%s\",state=\"%s\"} %d\n",
          wsa_process_supervisor_get_name (sup),
          wsa_process_state_to_string (state),
          wsa_process_supervisor_get_state (sup) == state);
  }
  metric_header (out, "wsaudio_process_restarts_total", "counter",
      "Restarts of each supervised process since it was loaded.");
  for (i = 0; processes && i < processes->len; i++) {
    WsaProcessSupervisor *sup = g_ptr_array_index (processes, i);

    g_string_append_printf (out,
        "wsaudio_process_restarts_total{process=\"%s\"} %u\n",
        wsa_process_supervisor_get_name (sup),
        wsa_process_supervisor_get_restarts (sup));
  }
}

typedef guint64 (*ElementValue) (GstElement * element);

static guint64
element_clients (GstElement * element)
{
  return wsa_websocket_get_clients (element);
}

static void
metrics_elements (GString * out, GPtrArray * supervisors,
    const gchar * name, const gchar * type, const gchar * help,
    ElementValue value)
{
  guint i, j;

  metric_header (out, name, type, help);
  for (i = 0; i < supervisors->len; i++) {
    WsaSupervisor *sup = g_ptr_array_index (supervisors, i);
    GPtrArray *servers = wsa_supervisor_get_websocket_servers (sup);

    for (j = 0; j < servers->len; j++) {
      GstElement *element = g_ptr_array_index (servers, j);
      g_autofree gchar *label = g_strescape (GST_ELEMENT_NAME (element), NULL);

      g_string_append_printf (out, "%s{pipeline=\"%s\",element=\"%s\"} %"
          G_GUINT64_FORMAT "\n", name, wsa_supervisor_get_name (sup), label,
          value (element));
    }
  }
}

gchar *
wsa_report_metrics (GPtrArray * supervisors, GPtrArray * processes)
{
  GString *out = g_string_new (NULL);

  metrics_states (out, supervisors);
  metrics_restarts (out, supervisors);
  metrics_elements (out, supervisors, "wsaudio_websocket_clients", "gauge",
      "Connected WebSocket clients of each websocketsink/websocketsrc.",
      element_clients);
  metrics_elements (out, supervisors, "wsaudio_websocket_sent_bytes_total",
      "counter", "Bytes sent to WebSocket clients (websocketsink).",
      wsa_websocket_get_bytes_sent);
  metrics_elements (out, supervisors,
      "wsaudio_websocket_received_bytes_total", "counter",
      "Bytes received from WebSocket clients (websocketsrc).",
      wsa_websocket_get_bytes_received);
  metrics_processes (out, processes);
  return g_string_free (out, FALSE);
}

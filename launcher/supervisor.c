/* wsaudio - runs one pipeline and restarts it per its policy
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One supervisor owns one GstPipeline, built once from its pipeline file, and
 * drives it through the states of WsaState from the main context: the bus
 * watch, timers and the stall watch all run there, so no locking is needed
 * except around the first error of an attempt, which the bus sync handler
 * records from whatever thread posts it.
 *
 * Restarts keep the WebSocket servers alive.  On a failure the pipeline goes
 * to READY (websocketsink and websocketsrc keep their listening socket and
 * their clients in READY) and every other child element goes to NULL, so
 * pulsesrc and pulsesink drop their PulseAudio connection and open a new one
 * on the way back up.  Clients hear a gap, not a disconnect.  Only when the
 * error comes from a WebSocket element itself does the whole pipeline go to
 * NULL (a "hard" restart).
 *
 * Every message is stamped with the number of the start attempt during which
 * it was posted; messages from an earlier attempt are ignored, so an error
 * that is already being handled never counts twice.
 */
#include "supervisor.h"

#include "duration.h"
#include "log.h"
#include "restart-policy.h"
#include "stall-watch.h"
#include "ws-elements.h"

GST_DEBUG_CATEGORY_STATIC (wsa_supervisor_debug);
#define GST_CAT_DEFAULT wsa_supervisor_debug

struct _WsaSupervisor
{
  gint ref_count;
  WsaPipelineConfig *config;
  GstElement *pipeline;
  GstBus *bus;
  GstElement *on_demand_sink;   /* NULL unless on-demand */
  GPtrArray *servers;           /* websocketsink/websocketsrc elements */
  WsaStallWatch *stall;

  WsaState state;
  gchar *reason;
  WsaRestarter restarter;
  gboolean ports_logged;        /* FALSE again after a hard bring-down */
  gchar *last_error_key;        /* last ERROR printed, not to repeat it */

  gint attempt;                 /* atomic: read by the sync handler */
  GMutex lock;                  /* protects first_error */
  GstMessage *first_error;      /* first ERROR of the current attempt */

  guint bus_watch;
  guint idle_source;
  WsaSupervisorFunc func;
  gpointer func_data;
};

static const gchar *const state_names[] = {
  "stopped", "starting", "waiting", "playing", "restarting", "failed",
  "finished"
};

G_STATIC_ASSERT (G_N_ELEMENTS (state_names) == WSA_STATE_LAST + 1);

static void begin_attempt (WsaSupervisor * self, const gchar * reason);
static void handle_failure (WsaSupervisor * self, GstMessage * error,
    const gchar * reason);

const gchar *
wsa_state_to_string (WsaState state)
{
  return state_names[state];
}

gboolean
wsa_state_is_failing (WsaState state)
{
  return state == WSA_STATE_RESTARTING || state == WSA_STATE_FAILED;
}

gboolean
wsa_state_is_terminal (WsaState state)
{
  return state == WSA_STATE_STOPPED || state == WSA_STATE_FAILED
      || state == WSA_STATE_FINISHED;
}

static gboolean
state_is_active (WsaState state)
{
  return state == WSA_STATE_STARTING || state == WSA_STATE_WAITING
      || state == WSA_STATE_PLAYING;
}

/* ------------------------------------------------------------------ */
/* Logging and state changes */

static void
log_event (WsaSupervisor * self, const gchar * reason)
{
  wsa_log_event (self->config->name, state_names[self->state],
      self->restarter.restarts, wsa_supervisor_get_clients (self), reason);
}

/* Once the servers listen (READY), says where: with port=0 this is the
 * only way to learn the port. */
static void
log_ports (WsaSupervisor * self)
{
  guint i;

  if (self->ports_logged)
    return;
  self->ports_logged = TRUE;
  for (i = 0; i < self->servers->len; i++) {
    GstElement *element = g_ptr_array_index (self->servers, i);

    wsa_log ("pipeline=%s element=%s port=%d", self->config->name,
        GST_ELEMENT_NAME (element), wsa_websocket_get_port (element));
  }
}

static void
notify (WsaSupervisor * self)
{
  if (self->func)
    self->func (self, self->func_data);
}

/* Logs the change, except the start of a restart attempt: a failing
 * pipeline then logs one line per attempt, the "restarting" one. */
static void
set_state (WsaSupervisor * self, WsaState state, const gchar * reason)
{
  gboolean quiet = state == WSA_STATE_STARTING
      && self->state == WSA_STATE_RESTARTING;
  gchar *copy = g_strdup (reason);

  self->state = state;
  g_free (self->reason);
  self->reason = copy;
  if (!quiet)
    log_event (self, copy);
  notify (self);
}

/* Prints an ERROR message the first time it is seen in a row. */
static void
print_error_once (WsaSupervisor * self, GstMessage * message)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key = NULL;

  gst_message_parse_error (message, &error, NULL);
  key = g_strdup_printf ("%s|%s|%d|%s", GST_MESSAGE_SRC_NAME (message),
      g_quark_to_string (error->domain), error->code, error->message);
  if (g_strcmp0 (key, self->last_error_key) == 0)
    return;
  wsa_log_gst_message (message);
  g_free (self->last_error_key);
  self->last_error_key = g_steal_pointer (&key);
}

static gchar *
error_reason (GstMessage * message)
{
  g_autoptr (GError) error = NULL;

  gst_message_parse_error (message, &error, NULL);
  return g_strdup_printf ("error from %s: %s", GST_MESSAGE_SRC_NAME (message),
      error->message);
}

/* ------------------------------------------------------------------ */
/* Message stamps */

static GQuark
attempt_quark (void)
{
  return g_quark_from_static_string ("wsa-attempt");
}

static gint
message_attempt (GstMessage * message)
{
  return GPOINTER_TO_INT (gst_mini_object_get_qdata (GST_MINI_OBJECT
          (message), attempt_quark ()));
}

static GstBusSyncReply
stamp_message (GstBus * bus, GstMessage * message, gpointer user_data)
{
  WsaSupervisor *self = user_data;
  gint attempt = g_atomic_int_get (&self->attempt);

  gst_mini_object_set_qdata (GST_MINI_OBJECT (message), attempt_quark (),
      GINT_TO_POINTER (attempt), NULL);
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return GST_BUS_PASS;
  g_mutex_lock (&self->lock);
  if (self->first_error == NULL)
    self->first_error = gst_message_ref (message);
  g_mutex_unlock (&self->lock);
  return GST_BUS_PASS;
}

static GstMessage *
take_first_error (WsaSupervisor * self)
{
  GstMessage *message;

  g_mutex_lock (&self->lock);
  message = g_steal_pointer (&self->first_error);
  g_mutex_unlock (&self->lock);
  return message;
}

static void
next_attempt (WsaSupervisor * self)
{
  g_atomic_int_inc (&self->attempt);
  gst_clear_message (&self->first_error);
}

/* ------------------------------------------------------------------ */
/* Timers */

static void
cancel_timers (WsaSupervisor * self)
{
  wsa_restarter_cancel (&self->restarter);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->stall)
    wsa_stall_watch_disarm (self->stall);
}

/* After a healthy run the same error is worth printing again. */
static void
on_healthy (gpointer user_data)
{
  WsaSupervisor *self = user_data;

  g_clear_pointer (&self->last_error_key, g_free);
  GST_INFO ("%s: healthy run, restart delay reset", self->config->name);
}

static void
on_stall (gpointer user_data)
{
  WsaSupervisor *self = user_data;
  g_autofree gchar *timeout =
      wsa_duration_format (self->config->stall_timeout_ms);
  g_autofree gchar *reason =
      g_strdup_printf ("stalled: no buffer reached a sink for %s", timeout);

  handle_failure (self, NULL, reason);
}

/* ------------------------------------------------------------------ */
/* Going up */

static gboolean
wants_playing (WsaSupervisor * self)
{
  return self->on_demand_sink == NULL
      || wsa_websocket_get_clients (self->on_demand_sink) > 0;
}

static void
enter_waiting (WsaSupervisor * self, const gchar * reason)
{
  wsa_restarter_arm_healthy (&self->restarter);
  set_state (self, WSA_STATE_WAITING, reason);
}

static void
enter_playing (WsaSupervisor * self)
{
  wsa_restarter_arm_healthy (&self->restarter);
  set_state (self, WSA_STATE_PLAYING, self->reason);
}

static void
fail_state_change (WsaSupervisor * self, const gchar * target)
{
  g_autoptr (GstMessage) error = take_first_error (self);
  g_autofree gchar *reason =
      g_strdup_printf ("could not set the pipeline to %s", target);

  handle_failure (self, error, reason);
}

/* The stall watch runs from here: a pipeline that never gets a buffer to
 * its sinks after being asked to play has stalled too. */
static void
go_playing (WsaSupervisor * self, const gchar * reason)
{
  set_state (self, WSA_STATE_STARTING, reason);
  if (self->stall)
    wsa_stall_watch_arm (self->stall);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE)
    fail_state_change (self, "PLAYING");
  else
    log_ports (self);
}

static void
raise_child (const GValue * item, gpointer user_data)
{
  GstElement *child = g_value_get_object (item);
  gboolean *ok = user_data;

  if (*ok && GST_STATE (child) == GST_STATE_NULL)
    *ok = gst_element_sync_state_with_parent (child);
}

/* After a soft bring-down the pipeline is READY with children in NULL:
 * bring those back to READY first, then the pipeline to @target. */
static gboolean
raise_children (WsaSupervisor * self)
{
  g_autoptr (GstIterator) children =
      gst_bin_iterate_elements (GST_BIN (self->pipeline));
  gboolean ok = TRUE;

  if (GST_STATE (self->pipeline) != GST_STATE_READY)
    return TRUE;
  gst_iterator_foreach (children, raise_child, &ok);
  return ok;
}

static void
begin_attempt (WsaSupervisor * self, const gchar * reason)
{
  next_attempt (self);
  if (!raise_children (self)) {
    set_state (self, WSA_STATE_STARTING, reason);
    fail_state_change (self, "READY");
    return;
  }
  if (wants_playing (self)) {
    go_playing (self, reason);
    return;
  }
  if (gst_element_set_state (self->pipeline, GST_STATE_READY)
      == GST_STATE_CHANGE_FAILURE) {
    set_state (self, WSA_STATE_STARTING, reason);
    fail_state_change (self, "READY");
    return;
  }
  log_ports (self);
  enter_waiting (self, "waiting for a client");
}

/* ------------------------------------------------------------------ */
/* Going down */

static void
lower_child (const GValue * item, gpointer user_data)
{
  GstElement *child = g_value_get_object (item);

  if (wsa_is_websocket_server (child))
    return;
  if (GST_IS_BIN (child) && wsa_bin_has_websocket_server (GST_BIN (child)))
    return;
  gst_element_set_state (child, GST_STATE_NULL);
}

/* Soft: READY, then all but the WebSocket servers to NULL.  Hard: NULL. */
static void
bring_down (WsaSupervisor * self, gboolean hard)
{
  g_autoptr (GstIterator) children = NULL;

  if (hard || self->servers->len == 0) {
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    self->ports_logged = FALSE;
    return;
  }
  gst_element_set_state (self->pipeline, GST_STATE_READY);
  children = gst_bin_iterate_elements (GST_BIN (self->pipeline));
  gst_iterator_foreach (children, lower_child, NULL);
}

static void
on_restart (gpointer user_data, const gchar * reason)
{
  begin_attempt (user_data, reason);
}

static void
schedule_restart (WsaSupervisor * self, const gchar * reason)
{
  g_autofree gchar *line = wsa_restarter_schedule (&self->restarter, reason);

  set_state (self, WSA_STATE_RESTARTING, line);
}

static gboolean
is_from_websocket_server (GstMessage * message)
{
  GstObject *object = GST_MESSAGE_SRC (message);

  for (; object; object = GST_OBJECT_PARENT (object))
    if (GST_IS_ELEMENT (object)
        && wsa_is_websocket_server (GST_ELEMENT (object)))
      return TRUE;
  return FALSE;
}

/* A failure of the current attempt: @error is the ERROR message, if any. */
static void
handle_failure (WsaSupervisor * self, GstMessage * error, const gchar * reason)
{
  g_autofree gchar *why = error ? error_reason (error) : g_strdup (reason);

  cancel_timers (self);
  if (error)
    print_error_once (self, error);
  wsa_restarter_fail (&self->restarter);
  if (self->config->restart == WSA_RESTART_NEVER) {
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    set_state (self, WSA_STATE_FAILED, why);
    return;
  }
  bring_down (self, error && is_from_websocket_server (error));
  schedule_restart (self, why);
}

static void
handle_eos (WsaSupervisor * self)
{
  cancel_timers (self);
  if (self->config->restart != WSA_RESTART_ALWAYS) {
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    set_state (self, WSA_STATE_FINISHED, "end of stream");
    return;
  }
  wsa_restarter_fail (&self->restarter);
  bring_down (self, FALSE);
  schedule_restart (self, "end of stream");
}

/* ------------------------------------------------------------------ */
/* On demand */

static gboolean
on_idle (gpointer user_data)
{
  WsaSupervisor *self = user_data;
  g_autofree gchar *timeout =
      wsa_duration_format (self->config->idle_timeout_ms);
  g_autofree gchar *reason = NULL;

  self->idle_source = 0;
  if (self->stall)
    wsa_stall_watch_disarm (self->stall);
  if (gst_element_set_state (self->pipeline, GST_STATE_READY)
      == GST_STATE_CHANGE_FAILURE) {
    fail_state_change (self, "READY");
    return G_SOURCE_REMOVE;
  }
  reason = g_strdup_printf ("no client for %s", timeout);
  enter_waiting (self, reason);
  return G_SOURCE_REMOVE;
}

static void
update_on_demand (WsaSupervisor * self)
{
  guint clients = wsa_websocket_get_clients (self->on_demand_sink);

  if (clients > 0) {
    g_clear_handle_id (&self->idle_source, g_source_remove);
    if (self->state == WSA_STATE_WAITING)
      go_playing (self, "client connected");
  } else if ((self->state == WSA_STATE_PLAYING
          || self->state == WSA_STATE_STARTING) && self->idle_source == 0) {
    self->idle_source = g_timeout_add (self->config->idle_timeout_ms,
        on_idle, self);
  }
}

static void
handle_clients (WsaSupervisor * self, GstMessage * message)
{
  const GstStructure *s = gst_message_get_structure (message);
  const gchar *peer = gst_structure_get_string (s, "peer");
  gboolean connected = FALSE;
  g_autofree gchar *reason = NULL;

  /* The event, not the count it carries: the line's clients= is counted
   * now, and the message may be older than the last change. */
  gst_structure_get_boolean (s, "connected", &connected);
  reason = g_strdup_printf ("%s: %s %s", GST_MESSAGE_SRC_NAME (message),
      peer ? peer : "a client", connected ? "connected" : "left");
  log_event (self, reason);
  if (self->on_demand_sink
      && GST_MESSAGE_SRC (message) == GST_OBJECT (self->on_demand_sink)
      && state_is_active (self->state))
    update_on_demand (self);
  notify (self);
}

/* ------------------------------------------------------------------ */
/* Bus */

static gboolean
is_current (WsaSupervisor * self, GstMessage * message)
{
  return message_attempt (message) == g_atomic_int_get (&self->attempt)
      && state_is_active (self->state);
}

static void
handle_state_changed (WsaSupervisor * self, GstMessage * message)
{
  GstState state;

  if (GST_MESSAGE_SRC (message) != GST_OBJECT (self->pipeline))
    return;
  gst_message_parse_state_changed (message, NULL, &state, NULL);
  if (state == GST_STATE_PLAYING && self->state == WSA_STATE_STARTING
      && is_current (self, message))
    enter_playing (self);
}

static gboolean
on_bus_message (GstBus * bus, GstMessage * message, gpointer user_data)
{
  WsaSupervisor *self = user_data;
  const GstStructure *s;

  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:
      if (is_current (self, message))
        handle_failure (self, message, NULL);
      break;
    case GST_MESSAGE_WARNING:
    case GST_MESSAGE_INFO:     /* e.g. the microphone's inferred rate */
      wsa_log_gst_message (message);
      break;
    case GST_MESSAGE_EOS:
      if (is_current (self, message))
        handle_eos (self);
      break;
    case GST_MESSAGE_STATE_CHANGED:
      handle_state_changed (self, message);
      break;
    case GST_MESSAGE_ELEMENT:
      s = gst_message_get_structure (message);
      if (gst_structure_has_name (s, WSA_CLIENTS_MESSAGE))
        handle_clients (self, message);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Life cycle */

static void
setup_pipeline (WsaSupervisor * self, GstElement * pipeline)
{
  self->pipeline = pipeline;
  self->servers = wsa_find_websocket_servers (GST_BIN (pipeline));
  if (self->config->on_demand)
    self->on_demand_sink = gst_bin_get_by_name (GST_BIN (pipeline),
        self->config->on_demand);
  if (self->config->stall_timeout_ms > 0)
    self->stall = wsa_stall_watch_new (GST_BIN (pipeline),
        self->config->stall_timeout_ms, on_stall, self);
  self->bus = gst_element_get_bus (pipeline);
  gst_bus_set_sync_handler (self->bus, stamp_message, self, NULL);
  self->bus_watch = gst_bus_add_watch (self->bus, on_bus_message, self);
}

/* Takes @config; builds its pipeline (NULL state) but does not start it. */
WsaSupervisor *
wsa_supervisor_new (WsaPipelineConfig * config, GError ** error)
{
  g_autoptr (WsaPipelineConfig) owned = config;
  WsaSupervisor *self;
  GstElement *pipeline;

  GST_DEBUG_CATEGORY_INIT (wsa_supervisor_debug, "wsaudio", 0,
      "wsaudio supervisor");
  pipeline = wsa_pipeline_config_instantiate (config, error);
  if (pipeline == NULL)
    return NULL;
  self = g_new0 (WsaSupervisor, 1);
  self->ref_count = 1;
  self->config = g_steal_pointer (&owned);
  g_mutex_init (&self->lock);
  wsa_restarter_init (&self->restarter, self->config->restart_delay_ms,
      self->config->restart_max_delay_ms, on_restart, on_healthy, self);
  setup_pipeline (self, pipeline);
  return self;
}

WsaSupervisor *
wsa_supervisor_ref (WsaSupervisor * self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

static void
supervisor_free (WsaSupervisor * self)
{
  cancel_timers (self);
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  gst_bus_set_sync_handler (self->bus, NULL, NULL, NULL);
  g_clear_pointer (&self->stall, wsa_stall_watch_free);
  gst_clear_object (&self->bus);
  gst_clear_object (&self->on_demand_sink);
  g_ptr_array_unref (self->servers);
  gst_clear_object (&self->pipeline);
  gst_clear_message (&self->first_error);
  g_mutex_clear (&self->lock);
  wsa_pipeline_config_free (self->config);
  g_free (self->reason);
  g_free (self->last_error_key);
  g_free (self);
}

void
wsa_supervisor_unref (WsaSupervisor * self)
{
  if (g_atomic_int_dec_and_test (&self->ref_count))
    supervisor_free (self);
}

void
wsa_supervisor_set_callback (WsaSupervisor * self, WsaSupervisorFunc func,
    gpointer user_data)
{
  self->func = func;
  self->func_data = user_data;
}

void
wsa_supervisor_start (WsaSupervisor * self)
{
  g_return_if_fail (wsa_state_is_terminal (self->state));

  wsa_restarter_reset (&self->restarter);
  begin_attempt (self, "started");
}

/* Stops the pipeline (NULL: clients get a close frame) and any restart. */
void
wsa_supervisor_stop (WsaSupervisor * self, const gchar * reason)
{
  cancel_timers (self);
  next_attempt (self);
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  self->ports_logged = FALSE;
  if (self->state != WSA_STATE_STOPPED)
    set_state (self, WSA_STATE_STOPPED, reason);
}

/* ------------------------------------------------------------------ */
/* Accessors */

WsaState
wsa_supervisor_get_state (WsaSupervisor * self)
{
  return self->state;
}

const gchar *
wsa_supervisor_get_reason (WsaSupervisor * self)
{
  return self->reason;
}

const WsaPipelineConfig *
wsa_supervisor_get_config (WsaSupervisor * self)
{
  return self->config;
}

const gchar *
wsa_supervisor_get_name (WsaSupervisor * self)
{
  return self->config->name;
}

GstElement *
wsa_supervisor_get_pipeline (WsaSupervisor * self)
{
  return self->pipeline;
}

GPtrArray *
wsa_supervisor_get_websocket_servers (WsaSupervisor * self)
{
  return self->servers;
}

/* Clients of all WebSocket elements, or -1 if the pipeline has none. */
gint
wsa_supervisor_get_clients (WsaSupervisor * self)
{
  guint i, clients = 0;

  if (self->servers->len == 0)
    return -1;
  for (i = 0; i < self->servers->len; i++)
    clients += wsa_websocket_get_clients (g_ptr_array_index (self->servers, i));
  return (gint) clients;
}

guint
wsa_supervisor_get_restarts (WsaSupervisor * self)
{
  return self->restarter.restarts;
}

guint
wsa_supervisor_get_consecutive_failures (WsaSupervisor * self)
{
  return self->restarter.failures;
}

guint
wsa_supervisor_get_restart_delay (WsaSupervisor * self)
{
  return self->restarter.next_delay_ms;
}

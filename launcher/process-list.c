/* wsaudio - the supervised processes of a running wsaudio
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Holds one WsaProcessSupervisor per process file and applies SIGHUP
 * reloads to them the way daemon.c does for pipelines: an unchanged file
 * keeps its process running untouched, a changed one is stopped and started
 * again, a new one is started, a removed one stopped.
 *
 * Stopping a process takes time (SIGTERM, up to stop-timeout, SIGKILL), so
 * a supervisor that has been replaced or removed is "retiring" until its
 * child has been reaped, and the new version of a changed file starts only
 * then ("pending"): two instances of one daemon never run at once, which
 * matters for a PulseAudio that would find its socket taken.  At shutdown
 * the owner stops the list and turns the main loop until
 * wsa_process_list_is_alive() is FALSE.
 */
#include "process-list.h"

struct _WsaProcessList
{
  GPtrArray *current;           /* WsaProcessSupervisor *, in load order */
  GPtrArray *retiring;          /* replaced or removed, child not reaped */
  GPtrArray *pending;           /* of current, waiting for a retiring one */
  gboolean stopping;
  WsaProcessListFunc changed;
  gpointer user_data;
};

static const gchar *
path_of (WsaProcessSupervisor * sup)
{
  return wsa_process_supervisor_get_config (sup)->path;
}

static gint
find_path (GPtrArray * supervisors, const gchar * path)
{
  guint i;

  for (i = 0; i < supervisors->len; i++)
    if (g_str_equal (path_of (g_ptr_array_index (supervisors, i)), path))
      return (gint) i;
  return -1;
}

/* The first pending supervisor no retiring one holds back, removed from
 * the pending list (with its reference), or NULL. */
static WsaProcessSupervisor *
take_startable (WsaProcessList * self)
{
  guint i;

  for (i = 0; i < self->pending->len; i++) {
    WsaProcessSupervisor *sup = g_ptr_array_index (self->pending, i);

    if (find_path (self->retiring, path_of (sup)) < 0)
      return g_ptr_array_steal_index (self->pending, i);
  }
  return NULL;
}

/* Drops the retiring supervisors whose child is gone and starts what
 * waited for them.  Safe to re-enter: starting notifies. */
static void
advance (WsaProcessList * self)
{
  WsaProcessSupervisor *sup;
  guint i = 0;

  while (i < self->retiring->len) {
    if (wsa_process_supervisor_is_alive (g_ptr_array_index (self->retiring, i)))
      i++;
    else
      g_ptr_array_remove_index (self->retiring, i);
  }
  if (self->stopping)
    return;
  while ((sup = take_startable (self))) {
    wsa_process_supervisor_start (sup);
    wsa_process_supervisor_unref (sup);
  }
}

static void
on_supervisor_changed (WsaProcessSupervisor * sup, gpointer user_data)
{
  WsaProcessList *self = user_data;

  advance (self);
  self->changed (self->user_data);
}

WsaProcessList *
wsa_process_list_new (WsaProcessListFunc changed, gpointer user_data)
{
  WsaProcessList *self = g_new0 (WsaProcessList, 1);
  GDestroyNotify unref = (GDestroyNotify) wsa_process_supervisor_unref;

  self->current = g_ptr_array_new_with_free_func (unref);
  self->retiring = g_ptr_array_new_with_free_func (unref);
  self->pending = g_ptr_array_new_with_free_func (unref);
  self->changed = changed;
  self->user_data = user_data;
  return self;
}

static void
forget (GPtrArray * supervisors)
{
  guint i;

  for (i = 0; i < supervisors->len; i++)
    wsa_process_supervisor_set_callback (g_ptr_array_index (supervisors, i),
        NULL, NULL);
  g_ptr_array_unref (supervisors);
}

void
wsa_process_list_free (WsaProcessList * self)
{
  forget (self->pending);
  forget (self->retiring);
  forget (self->current);
  g_free (self);
}

static WsaProcessSupervisor *
create (WsaProcessList * self, WsaProcessConfig * config)
{
  WsaProcessSupervisor *sup = wsa_process_supervisor_new (config);

  wsa_process_supervisor_set_callback (sup, on_supervisor_changed, self);
  return sup;
}

/* Takes @config; the process starts with wsa_process_list_start(). */
void
wsa_process_list_add (WsaProcessList * self, WsaProcessConfig * config)
{
  g_ptr_array_add (self->current, create (self, config));
}

void
wsa_process_list_start (WsaProcessList * self)
{
  guint i;

  for (i = 0; i < self->current->len; i++)
    wsa_process_supervisor_start (g_ptr_array_index (self->current, i));
}

/* ------------------------------------------------------------------ */
/* Reload */

/* Stops @sup (taking its reference) and keeps it until its child is
 * reaped. */
static void
retire (WsaProcessList * self, WsaProcessSupervisor * sup, const gchar * reason)
{
  g_ptr_array_remove (self->pending, sup);
  wsa_process_supervisor_stop (sup, reason);
  if (wsa_process_supervisor_is_alive (sup))
    g_ptr_array_add (self->retiring, sup);
  else
    wsa_process_supervisor_unref (sup);
}

static void
start_when_free (WsaProcessList * self, WsaProcessSupervisor * sup)
{
  if (find_path (self->retiring, path_of (sup)) < 0)
    wsa_process_supervisor_start (sup);
  else
    g_ptr_array_add (self->pending, wsa_process_supervisor_ref (sup));
}

static guint
stop_removed (WsaProcessList * self, WsaConfigSet * set)
{
  guint i = 0, stopped = 0;

  while (i < self->current->len) {
    WsaProcessSupervisor *sup = g_ptr_array_index (self->current, i);

    if (wsa_config_set_has_path (set, path_of (sup))) {
      i++;
      continue;
    }
    retire (self, g_ptr_array_steal_index (self->current, i), "file removed");
    stopped++;
  }
  return stopped;
}

/* Applies the new version of one file: keep, replace or add. */
static void
apply_config (WsaProcessList * self, WsaConfigSet * set, guint i,
    WsaReloadCounts * counts)
{
  WsaProcessConfig *config = g_ptr_array_index (set->processes, i);
  gint index = find_path (self->current, config->path);
  WsaProcessSupervisor *sup, *old;

  if (index >= 0 && wsa_process_config_equal (config,
          wsa_process_supervisor_get_config (g_ptr_array_index (self->current,
                  index)))) {
    counts->kept++;
    return;
  }
  sup = create (self, g_steal_pointer (&set->processes->pdata[i]));
  if (index < 0) {
    g_ptr_array_add (self->current, sup);
    counts->added++;
  } else {
    old = g_ptr_array_index (self->current, index);
    g_ptr_array_index (self->current, index) = sup;
    retire (self, old, "file changed");
    counts->changed++;
  }
  start_when_free (self, sup);
}

/* Takes the process configs of @set; files of @set that are invalid keep
 * their running version. */
void
wsa_process_list_reload (WsaProcessList * self, WsaConfigSet * set,
    WsaReloadCounts * counts)
{
  guint i;

  counts->stopped += stop_removed (self, set);
  for (i = 0; i < set->processes->len; i++)
    apply_config (self, set, i, counts);
}

/* ------------------------------------------------------------------ */
/* Shutdown and state */

void
wsa_process_list_stop (WsaProcessList * self, const gchar * reason)
{
  guint i;

  self->stopping = TRUE;
  g_ptr_array_set_size (self->pending, 0);
  for (i = 0; i < self->current->len; i++)
    wsa_process_supervisor_stop (g_ptr_array_index (self->current, i), reason);
}

/* Whether a child has not been reaped yet. */
gboolean
wsa_process_list_is_alive (WsaProcessList * self)
{
  guint i;

  for (i = 0; i < self->current->len; i++)
    if (wsa_process_supervisor_is_alive (g_ptr_array_index (self->current, i)))
      return TRUE;
  for (i = 0; i < self->retiring->len; i++)
    if (wsa_process_supervisor_is_alive (g_ptr_array_index (self->retiring, i)))
      return TRUE;
  return FALSE;
}

/* Whether every process has finished or failed for good (TRUE if there
 * is none); *failed is set if one failed. */
gboolean
wsa_process_list_has_ended (WsaProcessList * self, gboolean * failed)
{
  guint i;

  for (i = 0; i < self->current->len; i++) {
    WsaProcessState state =
        wsa_process_supervisor_get_state (g_ptr_array_index (self->current,
            i));

    if (state != WSA_PROCESS_FINISHED && state != WSA_PROCESS_FAILED)
      return FALSE;
    *failed |= state == WSA_PROCESS_FAILED;
  }
  return TRUE;
}

/* The current supervisors (borrowed), in load order. */
GPtrArray *
wsa_process_list_get (WsaProcessList * self)
{
  return self->current;
}

/* wsaudio - notices when no buffer reaches a pipeline's sinks
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A buffer probe on the sink pad of every sink element only increments an
 * atomic counter (streaming threads, no lock).  While armed, a timer in the
 * main context looks at the counter a few times per timeout; when it has not
 * moved for the whole timeout the callback runs, once, in the main context.
 * Detection happens between timeout and 1.25 × timeout after the last buffer.
 */
#include "stall-watch.h"

typedef struct
{
  GstPad *pad;
  gulong id;
} Probe;

struct _WsaStallWatch
{
  GArray *probes;
  guint timeout_ms;
  WsaStallFunc func;
  gpointer user_data;
  gint buffers;                 /* atomic */
  gint last_seen;
  gint64 last_change;           /* monotonic µs */
  guint timer;
};

static GstPadProbeReturn
count_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  WsaStallWatch *self = user_data;

  g_atomic_int_inc (&self->buffers);
  return GST_PAD_PROBE_OK;
}

static void
probe_pad (const GValue * item, gpointer user_data)
{
  WsaStallWatch *self = user_data;
  Probe probe = { g_value_dup_object (item), 0 };

  probe.id = gst_pad_add_probe (probe.pad, GST_PAD_PROBE_TYPE_BUFFER
      | GST_PAD_PROBE_TYPE_BUFFER_LIST, count_buffer, self, NULL);
  g_array_append_val (self->probes, probe);
}

static void
probe_sink_element (const GValue * item, gpointer user_data)
{
  GstElement *element = g_value_get_object (item);
  g_autoptr (GstIterator) pads = NULL;

  if (GST_IS_BIN (element)
      || !GST_OBJECT_FLAG_IS_SET (element, GST_ELEMENT_FLAG_SINK))
    return;
  pads = gst_element_iterate_sink_pads (element);
  gst_iterator_foreach (pads, probe_pad, user_data);
}

static void
probe_clear (Probe * probe)
{
  gst_pad_remove_probe (probe->pad, probe->id);
  gst_object_unref (probe->pad);
}

WsaStallWatch *
wsa_stall_watch_new (GstBin * pipeline, guint timeout_ms, WsaStallFunc func,
    gpointer user_data)
{
  WsaStallWatch *self = g_new0 (WsaStallWatch, 1);
  g_autoptr (GstIterator) elements = gst_bin_iterate_recurse (pipeline);

  self->probes = g_array_new (FALSE, FALSE, sizeof (Probe));
  g_array_set_clear_func (self->probes, (GDestroyNotify) probe_clear);
  self->timeout_ms = timeout_ms;
  self->func = func;
  self->user_data = user_data;
  gst_iterator_foreach (elements, probe_sink_element, self);
  return self;
}

void
wsa_stall_watch_free (WsaStallWatch * self)
{
  wsa_stall_watch_disarm (self);
  g_array_unref (self->probes);
  g_free (self);
}

static gboolean
check_stall (gpointer user_data)
{
  WsaStallWatch *self = user_data;
  gint buffers = g_atomic_int_get (&self->buffers);
  gint64 now = g_get_monotonic_time ();

  if (buffers != self->last_seen) {
    self->last_seen = buffers;
    self->last_change = now;
    return G_SOURCE_CONTINUE;
  }
  if (now - self->last_change < (gint64) self->timeout_ms * 1000)
    return G_SOURCE_CONTINUE;
  self->timer = 0;
  self->func (self->user_data);
  return G_SOURCE_REMOVE;
}

/* Starts watching; the timeout counts from now. */
void
wsa_stall_watch_arm (WsaStallWatch * self)
{
  wsa_stall_watch_disarm (self);
  if (self->timeout_ms == 0 || self->probes->len == 0)
    return;
  self->last_seen = g_atomic_int_get (&self->buffers);
  self->last_change = g_get_monotonic_time ();
  self->timer = g_timeout_add (MAX (self->timeout_ms / 4, 10), check_stall,
      self);
}

void
wsa_stall_watch_disarm (WsaStallWatch * self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
}

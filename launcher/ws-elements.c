/* wsaudio - what the launcher knows of the websocket elements
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The launcher never links against the plugin: it recognises websocketsink
 * and websocketsrc by factory name and reads their properties by name
 * (num-clients, bytes-served, bytes-received, current-port).  Properties an
 * element does not have read as 0.
 */
#include "ws-elements.h"

static gboolean
factory_is (GstElement * element, const gchar * name)
{
  GstElementFactory *factory = gst_element_get_factory (element);

  return factory != NULL
      && g_str_equal (gst_plugin_feature_get_name (factory), name);
}

gboolean
wsa_is_websocket_sink (GstElement * element)
{
  return factory_is (element, "websocketsink");
}

gboolean
wsa_is_websocket_server (GstElement * element)
{
  return factory_is (element, "websocketsink")
      || factory_is (element, "websocketsrc");
}

static void
collect_servers (GstBin * bin, GPtrArray * out)
{
  GList *l;

  GST_OBJECT_LOCK (bin);
  for (l = bin->children; l; l = l->next) {
    GstElement *child = l->data;

    if (wsa_is_websocket_server (child))
      g_ptr_array_add (out, gst_object_ref (child));
    else if (GST_IS_BIN (child))
      collect_servers (GST_BIN (child), out);
  }
  GST_OBJECT_UNLOCK (bin);
}

/* All websocketsink and websocketsrc elements in @bin, recursively, with a
 * reference each. */
GPtrArray *
wsa_find_websocket_servers (GstBin * bin)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (gst_object_unref);

  collect_servers (bin, out);
  return out;
}

gboolean
wsa_bin_has_websocket_server (GstBin * bin)
{
  g_autoptr (GPtrArray) servers = wsa_find_websocket_servers (bin);

  return servers->len > 0;
}

static guint64
get_uint_property (GstElement * element, const gchar * name)
{
  GParamSpec *pspec =
      g_object_class_find_property (G_OBJECT_GET_CLASS (element), name);
  g_auto (GValue) value = G_VALUE_INIT;
  g_auto (GValue) as_uint64 = G_VALUE_INIT;

  if (pspec == NULL)
    return 0;
  g_value_init (&value, pspec->value_type);
  g_object_get_property (G_OBJECT (element), name, &value);
  g_value_init (&as_uint64, G_TYPE_UINT64);
  if (!g_value_transform (&value, &as_uint64))
    return 0;
  return g_value_get_uint64 (&as_uint64);
}

guint
wsa_websocket_get_clients (GstElement * element)
{
  return (guint) get_uint_property (element, "num-clients");
}

guint64
wsa_websocket_get_bytes_sent (GstElement * element)
{
  return get_uint_property (element, "bytes-served");
}

guint64
wsa_websocket_get_bytes_received (GstElement * element)
{
  return get_uint_property (element, "bytes-received");
}

gint
wsa_websocket_get_port (GstElement * element)
{
  return (gint) get_uint_property (element, "current-port");
}

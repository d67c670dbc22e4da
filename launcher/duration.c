/* wsaudio - durations in pipeline files
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A duration is a non-negative decimal number followed by an optional unit:
 * "ms", "s" (the default when no unit is given) or "m".  Surrounding blanks are
 * allowed.  Durations are kept in whole milliseconds.
 */
#include "duration.h"

#include <math.h>

#define MAX_MSEC (24.0 * 3600.0 * 1000.0)

static gboolean
unit_scale (const gchar * unit, gdouble * scale)
{
  if (*unit == '\0' || g_str_equal (unit, "s"))
    *scale = 1000.0;
  else if (g_str_equal (unit, "ms"))
    *scale = 1.0;
  else if (g_str_equal (unit, "m"))
    *scale = 60000.0;
  else
    return FALSE;
  return TRUE;
}

gboolean
wsa_duration_parse (const gchar * text, guint * msec)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));
  gchar *end = NULL;
  gdouble value, scale;

  if (!g_ascii_isdigit (copy[0]) && copy[0] != '.')
    return FALSE;
  value = g_ascii_strtod (copy, &end);
  if (end == copy || !isfinite (value) || value < 0)
    return FALSE;
  if (!unit_scale (end, &scale) || value * scale > MAX_MSEC)
    return FALSE;
  *msec = (guint) round (value * scale);
  return TRUE;
}

gchar *
wsa_duration_format (guint msec)
{
  if (msec % 1000 == 0)
    return g_strdup_printf ("%us", msec / 1000);
  if (msec < 1000)
    return g_strdup_printf ("%ums", msec);
  return g_strdup_printf ("%u.%03us", msec / 1000, msec % 1000);
}

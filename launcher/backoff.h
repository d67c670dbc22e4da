/* wsaudio - restart delays
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint wsa_backoff_delay (guint base_ms, guint max_ms, guint failures);

G_END_DECLS

/* wsaudio — test helpers: measure a tone.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __TONE_H__
#define __TONE_H__

#include <glib.h>

G_BEGIN_DECLS

/* Frequency of a mono tone from its rising zero crossings (interpolated
 * between samples); 0 when there are fewer than two. */
gdouble tone_frequency (const gfloat * samples, gsize n, gdouble rate);

gdouble tone_rms (const gfloat * samples, gsize n);

G_END_DECLS

#endif /* __TONE_H__ */

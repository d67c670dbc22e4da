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

/* Index of the first 10 ms window whose RMS exceeds @threshold, or -1. */
gssize tone_onset (const gfloat * samples, gsize n, gint rate,
    gdouble threshold);

/* The frequency of each 100 ms window: their median, and in @good_share the
 * share of windows within 2 % of @hz. A dropout (a busy machine) spoils the
 * window it falls in, not the whole measurement; a wrong pitch moves all of
 * them. */
gdouble tone_median_frequency (const gfloat * samples, gsize n, gint rate,
    gdouble hz, gdouble * good_share);

G_END_DECLS

#endif /* __TONE_H__ */

/* wsaudio - launcher tests: shared helpers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

#include "supervisor.h"
#include "wsa-test-wait.h"

G_BEGIN_DECLS

/* A temporary directory removed (with its files) by the teardown. */
void launcher_test_setup_tmpdir (void);
void launcher_test_teardown_tmpdir (void);
const gchar *launcher_test_tmpdir (void);
gchar *launcher_test_write (const gchar * name, const gchar * text);

/* Records every state a supervisor goes through. */
typedef struct
{
  GArray *states;               /* WsaState, one per change */
  GArray *delays;               /* restart delay (ms) at each "restarting" */
  WsaState last;
  guint notifications;
} StateRecorder;

/* Loads @text as NAME.pipeline in the temporary directory and builds a
 * supervisor whose changes @recorder (may be NULL) records. */
WsaSupervisor *launcher_test_supervisor (const gchar * name,
    const gchar * text, StateRecorder * recorder);
void state_recorder_clear (StateRecorder * recorder);
guint state_recorder_count (StateRecorder * recorder, WsaState state);

/* Posts an ERROR message from the element named @name. */
void launcher_test_post_error (WsaSupervisor * sup, const gchar * name);

GstElement *launcher_test_get (WsaSupervisor * sup, const gchar * name);

#define WAIT_STATE(sup, st, timeout_ms) \
  WSA_TEST_WAIT_UNTIL (wsa_supervisor_get_state (sup) == (st), timeout_ms)

G_END_DECLS

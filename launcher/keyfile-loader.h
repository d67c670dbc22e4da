/* wsaudio - loading a one-group key file (pipeline and process files)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WSA_CONFIG_ERROR (wsa_config_error_quark ())

typedef enum
{
  WSA_CONFIG_ERROR_NOT_FOUND,   /* the file cannot be read */
  WSA_CONFIG_ERROR_INVALID,     /* the file is not valid */
} WsaConfigError;

typedef enum
{
  WSA_RESTART_ALWAYS,
  WSA_RESTART_ON_FAILURE,
  WSA_RESTART_NEVER,
} WsaRestartPolicy;

#define WSA_DEFAULT_RESTART WSA_RESTART_ALWAYS
#define WSA_DEFAULT_RESTART_DELAY_MS 250
#define WSA_DEFAULT_RESTART_MAX_DELAY_MS 2000

typedef struct _WsaKeyfileLoader WsaKeyfileLoader;

GQuark wsa_config_error_quark (void);
const gchar *wsa_restart_policy_to_string (WsaRestartPolicy policy);
gboolean wsa_keyfile_is_valid_name (const gchar * name);
/* Why the escapes of @raw (a value as written) are invalid, or NULL.
 * GLib knows \s \n \t \r and \\; it checks the same, but a value with an
 * invalid escape and a backslash at its end gets its GError set twice
 * (GLib 2.74: a warning, fatal where warnings are), so a value is checked
 * with this before GLib unescapes it. */
gchar *wsa_keyfile_bad_escape (const gchar * raw);

WsaKeyfileLoader *wsa_keyfile_loader_new (const gchar * path,
    const gchar * group, const gchar * const *known_keys,
    const gchar * const *envp, GError ** error);
void wsa_keyfile_loader_free (WsaKeyfileLoader * self);

gboolean wsa_keyfile_loader_has_values (WsaKeyfileLoader * self);
const gchar *wsa_keyfile_loader_get_path (WsaKeyfileLoader * self);
guint wsa_keyfile_loader_key_line (WsaKeyfileLoader * self,
    const gchar * key);

void wsa_keyfile_loader_problem (WsaKeyfileLoader * self, guint line,
    const gchar * format, ...) G_GNUC_PRINTF (3, 4);
void wsa_keyfile_loader_key_problem (WsaKeyfileLoader * self,
    const gchar * key, const gchar * what);

gchar *wsa_keyfile_loader_get (WsaKeyfileLoader * self, const gchar * key);
gchar *wsa_keyfile_loader_get_required (WsaKeyfileLoader * self,
    const gchar * key);
gchar *wsa_keyfile_loader_get_name (WsaKeyfileLoader * self,
    const gchar * suffix);
void wsa_keyfile_loader_get_duration (WsaKeyfileLoader * self,
    const gchar * key, guint * msec);
void wsa_keyfile_loader_get_restart (WsaKeyfileLoader * self,
    WsaRestartPolicy * policy, guint * delay_ms, guint * max_delay_ms);

gboolean wsa_keyfile_loader_finish (WsaKeyfileLoader * self,
    GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WsaKeyfileLoader, wsa_keyfile_loader_free)

G_END_DECLS

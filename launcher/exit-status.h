/* wsaudio - exit statuses of the wsaudio command
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* Values from <sysexits.h>, named for what they mean here. */
typedef enum
{
  WSA_EXIT_OK = 0,
  WSA_EXIT_UNHEALTHY = 1,       /* `health`: as a container HEALTHCHECK wants */
  WSA_EXIT_USAGE = 64,          /* EX_USAGE: bad command line */
  WSA_EXIT_NOINPUT = 66,        /* EX_NOINPUT: a PATH is missing or empty */
  WSA_EXIT_SOFTWARE = 70,       /* EX_SOFTWARE: runtime failure */
  WSA_EXIT_CONFIG = 78,         /* EX_CONFIG: a pipeline file is invalid */
} WsaExitStatus;

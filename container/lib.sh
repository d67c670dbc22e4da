# shellcheck shell=sh
# wsaudio container: shared by entrypoint and healthcheck (sourced).
# SPDX-License-Identifier: LGPL-2.1-or-later

# Prints ADDR:PORT of wsaudio's status server (--http): the bind address of
# the audio ports (CONTAINER_IP_ADDR, else POD_IP, else all interfaces) and
# WSAUDIO_HTTP_PORT (default 29790).
wsaudio_http_address () {
  _host=${CONTAINER_IP_ADDR:-${POD_IP:-}}
  case $_host in
    *:*) _host="[$_host]" ;;
  esac
  echo "$_host:${WSAUDIO_HTTP_PORT:-29790}"
}

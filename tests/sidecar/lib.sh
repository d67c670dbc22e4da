# wsaudio - sidecar tests: shell helpers, sourced by the test-*.sh scripts.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every test gets a private temporary directory as HOME, XDG_RUNTIME_DIR and
# home of its PulseAudio socket, removed on exit with the processes it
# started (by pid).  Nothing waits a fixed time: wait_until polls a
# condition until a timeout.
set -eu

SRC=${WSAUDIO_SOURCE_ROOT:?run me from meson test}
WSAUDIO=${WSAUDIO_PATH:?run me from meson test}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wsaudio-sidecar.XXXXXX")
STARTED=""

cleanup () {
  for pid in $STARTED; do
    kill "$pid" 2>/dev/null || :
  done
  for pid in $STARTED; do
    wait "$pid" 2>/dev/null || :
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

export HOME="$TMP" XDG_RUNTIME_DIR="$TMP" PULSE_SERVER="unix:$TMP/pulse.sock" \
  PULSE_CLIENTCONFIG="$SRC/pulse/client.conf"
unset PULSE_COOKIE PULSEAUDIO_COOKIE CONTAINER_IP_ADDR POD_IP WSAUDIO_TOKEN \
  WSAUDIO_SPEAKER_TOKEN WSAUDIO_MICROPHONE_TOKEN DBUS_SESSION_BUS_ADDRESS

fail () {
  echo "FAIL: $*" >&2
  for log in "$TMP"/*.log; do
    [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

ok () {
  echo "ok - $*"
}

# wait_until SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds;
# fails after SECONDS.
wait_until () {
  limit=$(( $(date +%s) + $1 + 1 ))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$limit" ] || return 1
    sleep 0.05
  done
}

running () {
  kill -0 "$1" 2>/dev/null
}

# A port number for this test to try; callers retry another when taken.
pick_port () {
  echo $(( 20000 + ( $$ * 7 + ${1:-0} * 131 ) % 40000 ))
}

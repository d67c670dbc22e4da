#!/bin/sh
# wsaudio - sidecar tests: pulse/run-pulseaudio with the bundled sidecar
# configuration: devices, defaults, daemon settings, the unix socket of
# PULSE_SERVER, and TCP with cookie authentication from PULSEAUDIO_COOKIE.
# SPDX-License-Identifier: LGPL-2.1-or-later
. "$(dirname "$0")/lib.sh"

RUN="$SRC/pulse/run-pulseaudio"

# The daemon settings of the old container.
conf=$(PULSE_CONFIG="$SRC/pulse/daemon.conf" pulseaudio --dump-conf 2>/dev/null)
for setting in "exit-idle-time = -1" "default-sample-channels = 1" \
    "flat-volumes = no"; do
  echo "$conf" | grep -qx "$setting" || fail "daemon.conf: no '$setting'"
done
ok "daemon.conf settings"

# Configuration errors are reported, with exit status 78.
check_refused () {
  # check_refused WHAT NEEDLE NAME=VALUE...
  what=$1 needle=$2
  shift 2
  status=0
  env "$@" "$RUN" > "$TMP/refused.log" 2>&1 || status=$?
  [ "$status" -eq 78 ] || fail "$what: exit status $status, expected 78"
  grep -q "$needle" "$TMP/refused.log" || fail "$what: $(cat "$TMP/refused.log")"
  ok "$what refused"
}
check_refused "non-hex cookie" "non-hex" PULSEAUDIO_COOKIE=xyz
check_refused "short cookie" "4 hex digits" PULSEAUDIO_COOKIE=abcd
check_refused "tcp PULSE_SERVER" "unix socket" PULSE_SERVER=tcp:localhost:4713

# A cookie as the platform hands it: 256 random bytes, as hex.
head -c 256 /dev/urandom > "$TMP/cookie"
COOKIE=$(od -An -tx1 -v "$TMP/cookie" | tr -d ' \n')
head -c 256 /dev/urandom > "$TMP/wrong-cookie"

# Starts the daemon with TCP on a free port; sets PULSE_PID and TCP_PORT.
start_daemon () {
  for attempt in 1 2 3 4 5; do
    TCP_PORT=$(pick_port "$attempt")
    env "$@" WSAUDIO_PULSE_TCP_PORT="$TCP_PORT" "$RUN" \
      > "$TMP/pulse.log" 2>&1 &
    PULSE_PID=$!
    STARTED="$STARTED $PULSE_PID"
    wait_until 10 sh -c "! kill -0 $PULSE_PID || pactl info" \
      || fail "PulseAudio did not start"
    running "$PULSE_PID" && return 0
  done
  fail "PulseAudio did not start on any port"
}

stop_daemon () {
  kill "$PULSE_PID"
  wait "$PULSE_PID" || :
}

start_daemon PULSEAUDIO_COOKIE="$COOKIE" CONTAINER_IP_ADDR=127.0.0.1
info=$(pactl info)
for expected in "Default Sink: speaker" "Default Source: microphone" \
    "Default Sample Specification: s16le 1ch 44100Hz"; do
  echo "$info" | grep -qx "$expected" || fail "pactl info: no '$expected'"
done
ok "defaults: sink speaker, source microphone, 44.1 kHz mono"

pactl list short sources | grep -q "^[0-9]*	speaker.monitor	" \
  || fail "no speaker.monitor"
# "microphone" is a source of its own, not the monitor of a sink.
pactl list sources | awk '
  /^Source #/ { name = "" }
  /^\tName: / { name = $2 }
  /^\tMonitor of Sink: / && name == "microphone" { print $4 }
' > "$TMP/monitor-of"
[ "$(cat "$TMP/monitor-of")" = "n/a" ] \
  || fail "microphone is a monitor: $(cat "$TMP/monitor-of")"
ok "microphone is a real source"

# The speaker sink renders at most 50 ms ahead (norewinds; a null sink's
# default is 2 s, which a recorder connecting to its monitor waits out)
# and, idle, is suspended rather than woken to render silence.
pactl list sinks | awk '
  /^Sink #/ { name = "" }
  /^\tName: / { name = $2 }
  /^\tLatency: / && name == "speaker" { print $(NF - 1) }
' > "$TMP/speaker-latency"
[ "$(cat "$TMP/speaker-latency")" = 50000 ] \
  || fail "speaker renders $(cat "$TMP/speaker-latency") us ahead, expected 50000"
wait_until 10 sh -c \
  "pactl list short sinks | grep -q '^[0-9]*	speaker	.*SUSPENDED'" \
  || fail "speaker is not suspended when idle: $(pactl list short sinks)"
ok "speaker: 50 ms ahead at most, suspended when idle"

[ -S "$TMP/pulse.sock" ] || fail "no socket at $TMP/pulse.sock"
PULSE_COOKIE="$TMP/wrong-cookie" pactl info > /dev/null \
  || fail "the unix socket wants a cookie"
ok "unix socket of PULSE_SERVER, anonymous"

pactl list short modules | grep "module-native-protocol-tcp" \
  | grep -q "listen=127.0.0.1" || fail "TCP not on CONTAINER_IP_ADDR"
PULSE_SERVER="tcp:127.0.0.1:$TCP_PORT" PULSE_COOKIE="$TMP/cookie" \
  pactl info > /dev/null || fail "TCP refused the right cookie"
ok "TCP $TCP_PORT accepts PULSEAUDIO_COOKIE"
if PULSE_SERVER="tcp:127.0.0.1:$TCP_PORT" PULSE_COOKIE="$TMP/wrong-cookie" \
    pactl info > "$TMP/denied.log" 2>&1; then
  fail "TCP accepted a wrong cookie"
fi
grep -q "Access denied" "$TMP/denied.log" || fail "$(cat "$TMP/denied.log")"
ok "TCP refuses another cookie"
stop_daemon

# Without a cookie there is no TCP listener at all.
start_daemon
pactl info | grep -qx "Default Source: microphone" || fail "no microphone"
if pactl list short modules | grep -q module-native-protocol-tcp; then
  fail "TCP without PULSEAUDIO_COOKIE"
fi
ok "no TCP without PULSEAUDIO_COOKIE"
stop_daemon

#!/bin/sh
# wsaudio - container tests: the image of the Containerfile, built with
# buildah and run with podman, in both PulseAudio modes.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#  1. base image: tools/make-base-image (present, pulled, or debootstrapped
#     and imported under the Containerfile's BASE_IMAGE default);
#  2. the image: built; non-root user, health check, no Node.js, ffmpeg,
#     supervisord or compiler; its pipeline and process files pass
#     `wsaudio check`;
#  3. sidecar mode: PID 1 is wsaudio, pulseaudio is its child, both run as
#     uid 1000; another uid can use the socket; healthy; a tone played into "speaker" (through the socket in the
#     container's /tmp, a directory shared with the host as application
#     containers share it) comes out of the speaker port at 1 kHz; a tone
#     sent to the microphone port at 44.1 kHz, and at 48 kHz with
#     ?rate=48000, is recorded from "microphone" at 1 kHz; TCP with
#     PULSEAUDIO_COOKIE needs the cookie; a killed daemon is started again
#     and the pipelines recover; SIGTERM stops the container with status 0;
#  4. client mode: a PulseAudio started here as an unprivileged uid (its
#     socket directory and cookie mounted in), the container run with that
#     uid and no daemon of its own; speaker and microphone checks pass, and
#     again after that daemon is killed and started again.
#
# The audio checks are container-probe's, run on the host with this build's
# websocketsrc.  Nothing sleeps for synchronisation: wait_until polls.
# Containers and files are removed on exit, failed or not; the images are
# kept as a cache (WSAUDIO_TEST_IMAGE, default localhost/wsaudio:test).
set -eu

SRC=${WSAUDIO_SOURCE_ROOT:?run me from meson test}
PROBE=${CONTAINER_PROBE:?run me from meson test}
IMAGE=${WSAUDIO_TEST_IMAGE:-localhost/wsaudio:test}
CLIENT_UID=${WSAUDIO_TEST_CLIENT_UID:-4321}

# shellcheck source=tests/container/lib.sh
. "$SRC/tests/container/lib.sh"
test_setup container
NAME=wsaudio-test-$$
CONTAINERS=""
HOST_PULSE_PID=""

cleanup () {
  status=$?
  for c in $CONTAINERS; do
    if [ "$status" -ne 0 ]; then
      echo "--- podman logs $c (last 40 lines)" >&2
      podman logs "$c" 2>&1 | tail -n 40 >&2 || :
    fi
    podman rm -f -t 0 "$c" > /dev/null 2>&1 || :
  done
  if [ -n "$HOST_PULSE_PID" ]; then
    kill "$HOST_PULSE_PID" 2>/dev/null || :
    wait "$HOST_PULSE_PID" 2>/dev/null || :
    [ "$status" -eq 0 ] || tail -n 20 "$TMP/host-pulse.log" >&2 || :
  fi
  rm -rf "$TMP"
  echo "total: $(( $(date +%s) - T0 )) s"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

nofile=$(container_nofile)
RUN="podman --runtime runc run --network host
  --ulimit nofile=$nofile:$nofile --ulimit nproc=4096:4096"

# Neither the tests nor their libpulse clients touch the user's files.
export HOME="$TMP/home"
mkdir -p "$HOME"
export PULSE_CLIENTCONFIG="$SRC/pulse/client.conf"
unset PULSE_COOKIE PULSE_SERVER PULSEAUDIO_COOKIE CONTAINER_IP_ADDR POD_IP \
  DBUS_SESSION_BUS_ADDRESS

# --- 1. base image and 2. the image --------------------------------------
step "base image, build $IMAGE"
build_test_image

step "image contents"
config=$(podman image inspect --format \
  '{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Healthcheck}}' \
  "$IMAGE")
case $config in
  1000:1000\|*29788/tcp*29789/tcp*\|*/usr/libexec/wsaudio/healthcheck*) ;;
  *) fail "image config: $config" ;;
esac
ok "user 1000, ports 29788 29789, health check"

# shellcheck disable=SC2016 # expanded by the container's sh
$RUN --rm --entrypoint sh "$IMAGE" -c '
  for p in node nodejs ffmpeg supervisord gcc cc c++ meson; do
    command -v "$p" && exit 1
  done
  wsaudio check /usr/share/wsaudio/pulse/pulseaudio.process \
    /usr/share/wsaudio/pipelines' > "$TMP/contents.log" 2>&1 \
  || { cat "$TMP/contents.log" >&2; fail "image contents"; }
ok "no node, ffmpeg, supervisord or compiler; wsaudio check passes"

# --- helpers for a running container ---------------------------------------

# container_pid1_uid NAME: uid (real) of the container's PID 1, on the host.
container_pid1_uid () {
  pid=$(podman inspect --format '{{.State.Pid}}' "$1")
  awk '/^Uid:/ { print $2 }' "/proc/$pid/status"
}

# process_uids NAME COMM: the uids of the container's processes named COMM.
process_uids () {
  podman top "$1" hpid comm | awk -v comm="$2" 'NR > 1 && $2 == comm {
    print $1 }' | while read -r hpid; do
    awk '/^Uid:/ { print $2 }' "/proc/$hpid/status"
  done
}

healthy () {
  podman healthcheck run "$1"
}

log_has () {
  podman logs "$1" 2>&1 | grep -q "$2"
}

# audio_checks NAME SPEAKER_PORT MICROPHONE_PORT: the speaker and both
# microphone checks through PULSE_SERVER.
audio_checks () {
  "$PROBE" speaker "$2" || fail "$1: speaker"
  ok "$1: speaker tone at 1 kHz from the WebSocket stream"
  "$PROBE" microphone "$3" "/?jwt_token=x" 44100 || fail "$1: microphone"
  ok "$1: 44.1 kHz microphone tone recorded at 1 kHz"
  "$PROBE" microphone "$3" "/?rate=48000" 48000 || fail "$1: microphone"
  ok "$1: 48 kHz microphone tone (declared) recorded at 1 kHz"
}

# --- 3. sidecar mode -------------------------------------------------------
step "sidecar mode"
# shellcheck disable=SC2046 # one word per port
set -- $("$PROBE" free-ports 4)
SPK=$1 MIC=$2 HTTP=$3 PTCP=$4
# The container's /tmp, where the daemon puts its socket: shared with the
# host as it is with application containers.
mkdir -m 1777 "$TMP/sidecar-tmp"
head -c 256 /dev/urandom > "$TMP/cookie"
cookie_hex=$(od -An -tx1 -v "$TMP/cookie" | tr -d ' \n')
CONTAINERS="$CONTAINERS $NAME-sidecar"
$RUN -d --name "$NAME-sidecar" -v "$TMP/sidecar-tmp:/tmp" \
  -e CONTAINER_IP_ADDR=127.0.0.1 -e WSAUDIO_SPEAKER_PORT="$SPK" \
  -e WSAUDIO_MICROPHONE_PORT="$MIC" -e WSAUDIO_HTTP_PORT="$HTTP" \
  -e PULSEAUDIO_COOKIE="$cookie_hex" -e WSAUDIO_PULSE_TCP_PORT="$PTCP" \
  "$IMAGE" > /dev/null 2> "$TMP/run.log" || {
  cat "$TMP/run.log" >&2
  fail "podman run (sidecar)"
}
export PULSE_SERVER="unix:$TMP/sidecar-tmp/.pulse.sock"
wait_until 30 pactl info || fail "sidecar: PulseAudio does not answer"
pactl info | grep -qx "Default Sink: speaker" || fail "no default sink"
pactl info | grep -qx "Default Source: microphone" || fail "no default source"
ok "sidecar: PulseAudio answers on /tmp/.pulse.sock (speaker, microphone)"
# Applications in other containers share /tmp, as any uid.
setpriv --reuid "$CLIENT_UID" --regid "$CLIENT_UID" --clear-groups \
  env HOME=/nonexistent pactl info > /dev/null 2>&1 \
  || fail "sidecar: uid $CLIENT_UID cannot use /tmp/.pulse.sock"
ok "sidecar: another uid ($CLIENT_UID) can use the socket"
wait_until 30 log_has "$NAME-sidecar" "pipeline=speaker state=waiting" \
  || fail "sidecar: speaker pipeline not waiting"
wait_until 30 healthy "$NAME-sidecar" || fail "sidecar: not healthy"
ok "sidecar: podman healthcheck run: healthy"
! podman exec -e WSAUDIO_HTTP_PORT=1 "$NAME-sidecar" \
  /usr/libexec/wsaudio/healthcheck > /dev/null 2>&1 \
  || fail "sidecar: the health check passes without a status server"

[ "$(podman top "$NAME-sidecar" pid comm | awk '$1 == 1 { print $2 }')" \
  = wsaudio ] || fail "sidecar: PID 1 is not wsaudio"
[ "$(container_pid1_uid "$NAME-sidecar")" = 1000 ] \
  || fail "sidecar: PID 1 does not run as uid 1000"
pulse_uids=$(process_uids "$NAME-sidecar" pulseaudio)
[ "$pulse_uids" = 1000 ] || fail "sidecar: pulseaudio uids: '$pulse_uids'"
[ "$(podman top "$NAME-sidecar" ppid comm \
  | awk '$2 == "pulseaudio" { print $1 }')" = 1 ] \
  || fail "sidecar: pulseaudio is not a child of wsaudio"
ok "sidecar: PID 1 is wsaudio, pulseaudio its child, both run as uid 1000"

audio_checks sidecar "$SPK" "$MIC"

# Native protocol on TCP with the cookie of PULSEAUDIO_COOKIE, only.
head -c 256 /dev/urandom > "$TMP/wrong-cookie"
PULSE_COOKIE="$TMP/cookie" pactl -s "tcp:127.0.0.1:$PTCP" info > /dev/null \
  || fail "sidecar: TCP with PULSEAUDIO_COOKIE refused"
! PULSE_COOKIE="$TMP/wrong-cookie" pactl -s "tcp:127.0.0.1:$PTCP" info \
  > /dev/null 2>&1 || fail "sidecar: TCP accepts a wrong cookie"
ok "sidecar: TCP $PTCP accepts PULSEAUDIO_COOKIE, refuses another cookie"

# The daemon dies: it is started again and the pipelines recover.
old_pid=$(podman top "$NAME-sidecar" hpid comm \
  | awk '$2 == "pulseaudio" { print $1 }')
kill -KILL "$old_pid"
new_daemon () {
  pid=$(podman top "$NAME-sidecar" hpid comm \
    | awk '$2 == "pulseaudio" { print $1 }')
  [ -n "$pid" ] && [ "$pid" != "$old_pid" ] && pactl info
}
wait_until 30 new_daemon || fail "sidecar: PulseAudio not started again"
ok "sidecar: PulseAudio killed (SIGKILL) and started again"
"$PROBE" microphone "$MIC" "/" 44100 || fail "sidecar: microphone after restart"
"$PROBE" speaker "$SPK" || fail "sidecar: speaker after restart"
wait_until 30 healthy "$NAME-sidecar" || fail "sidecar: not healthy again"
ok "sidecar: speaker and microphone recovered, healthy"

podman stop -t 10 "$NAME-sidecar" > /dev/null 2>> "$TMP/run.log"
status=$(podman inspect --format '{{.State.ExitCode}}' "$NAME-sidecar")
[ "$status" = 0 ] || fail "sidecar: exit status $status after SIGTERM"
ok "sidecar: podman stop (SIGTERM to PID 1): exit status 0"
unset PULSE_SERVER

# --- 4. client mode --------------------------------------------------------
step "client mode"
# shellcheck disable=SC2046 # one word per port
set -- $("$PROBE" free-ports 3)
SPK=$1 MIC=$2 HTTP=$3
# The "host" daemon: an unprivileged uid, private runtime directory (the
# socket's directory is mounted, so that a new socket after a restart is
# seen) and cookie, cookie authentication for other uids.
hp=$TMP/host-pulse
mkdir -p "$hp/run" "$hp/home"
head -c 256 /dev/urandom > "$hp/cookie"
chown -R "$CLIENT_UID:$CLIENT_UID" "$hp"
chmod 700 "$hp/run"
chmod 600 "$hp/cookie"
start_host_pulse () {
  setpriv --reuid "$CLIENT_UID" --regid "$CLIENT_UID" --clear-groups \
    env -i PATH="$PATH" HOME="$hp/home" XDG_RUNTIME_DIR="$hp/run" \
    PULSE_RUNTIME_PATH="$hp/run" PULSE_STATE_PATH="$hp/home" \
    pulseaudio -n --daemonize=no --exit-idle-time=-1 --use-pid-file=no \
    --disable-shm=yes --log-target=stderr \
    -L "module-native-protocol-unix socket=$hp/run/native auth-cookie=$hp/cookie" \
    >> "$TMP/host-pulse.log" 2>&1 &
  HOST_PULSE_PID=$!
  export PULSE_SERVER="unix:$hp/run/native" PULSE_COOKIE="$hp/cookie"
  wait_until 15 pactl info || fail "client: host PulseAudio does not answer"
  # The devices the pipelines use, as README-container.md tells users.
  pactl load-module module-null-sink sink_name=speaker > /dev/null
  pactl load-module module-null-sink sink_name=micsink > /dev/null
  pactl load-module module-remap-source master=micsink.monitor \
    source_name=microphone > /dev/null
}
start_host_pulse
ok "client: host PulseAudio as uid $CLIENT_UID, cookie authentication"

CONTAINERS="$CONTAINERS $NAME-client"
$RUN -d --name "$NAME-client" --user "$CLIENT_UID:$CLIENT_UID" \
  -v "$hp/run:/run/pulse-host" -v "$hp/cookie:/run/pulse-cookie:ro" \
  -e WSAUDIO_PULSE_MODE=client -e PULSE_SERVER=unix:/run/pulse-host/native \
  -e PULSE_COOKIE=/run/pulse-cookie \
  -e CONTAINER_IP_ADDR=127.0.0.1 -e WSAUDIO_SPEAKER_PORT="$SPK" \
  -e WSAUDIO_MICROPHONE_PORT="$MIC" -e WSAUDIO_HTTP_PORT="$HTTP" \
  "$IMAGE" > /dev/null 2> "$TMP/run.log" || {
  cat "$TMP/run.log" >&2
  fail "podman run (client)"
}
wait_until 30 log_has "$NAME-client" "pipeline=speaker state=waiting" \
  || fail "client: speaker pipeline not waiting"
wait_until 30 healthy "$NAME-client" || fail "client: not healthy"
ok "client: podman healthcheck run: healthy"

[ "$(container_pid1_uid "$NAME-client")" = "$CLIENT_UID" ] \
  || fail "client: PID 1 does not run as uid $CLIENT_UID"
[ -z "$(process_uids "$NAME-client" pulseaudio)" ] \
  || fail "client: a pulseaudio runs in the container"
ok "client: PID 1 runs as uid $CLIENT_UID, no daemon in the container"

audio_checks client "$SPK" "$MIC"

# The host daemon restarts: a new socket in the mounted directory.
kill -KILL "$HOST_PULSE_PID"
wait "$HOST_PULSE_PID" 2>/dev/null || :
HOST_PULSE_PID=""
start_host_pulse
"$PROBE" microphone "$MIC" "/" 44100 || fail "client: microphone after restart"
"$PROBE" speaker "$SPK" || fail "client: speaker after restart"
ok "client: host PulseAudio restarted, speaker and microphone recovered"

step "done"

#!/bin/sh
# wsaudio - deployment tests: deploy/kubernetes/pod.yaml under
# `podman kube play` and deploy/compose.yaml under podman-compose, each run
# for real with the image built from the Containerfile.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#  1. the image: built as the container test builds it (cached);
#  2. the manifests: tests/deploy/manifest.py check (Deployment template =
#     Pod, Service and NetworkPolicy select the pod and name the two
#     ports, Secret keys, security context, resources);
#  3. the Pod: podman kube play of pod.yaml as it is, except for what this
#     machine needs (manifest.py variant: host network on loopback with
#     free ports, names of this run, the test image), the cookie and token
#     from a podman secret; the desktop container's 1 kHz tone comes out
#     of the speaker port (with the token), a 1 kHz tone sent to the
#     microphone port (44.1 kHz, and 48 kHz declared) is recorded from
#     "microphone" through the socket in the pod's shared /tmp volume; the
#     liveness probe (podman's health check) and the readiness command
#     report healthy; the root filesystems are read-only, the processes
#     run as uids 1000 and 1001 without capabilities; no token (or a
#     wrong one), HTTP 401; the Secret's cookie opens PulseAudio's TCP
#     port; podman stats; podman kube down;
#  4. compose: podman-compose up of compose.yaml as it is (bridge network,
#     ports published on 127.0.0.1, free ports and the secrets from the
#     environment), the same checks; podman-compose down.
#
# Containers, pods, volumes, networks, secrets and files are removed on
# exit, failed or not; the image stays as a cache (WSAUDIO_TEST_IMAGE).
set -eu

SRC=${WSAUDIO_SOURCE_ROOT:?run me from meson test}
PROBE=${CONTAINER_PROBE:?run me from meson test}
IMAGE=${WSAUDIO_TEST_IMAGE:-localhost/wsaudio:test}

# shellcheck source=tests/container/lib.sh
. "$SRC/tests/container/lib.sh"
test_setup deploy
NAME=wsaudio-deploy-$$
POD_YAML=""
COMPOSE_UP=""

compose () {
  podman-compose -p "$NAME" -f "$SRC/deploy/compose.yaml" "$@"
}

cleanup () {
  status=$?
  if [ -n "$POD_YAML" ]; then
    if [ "$status" -ne 0 ]; then
      for c in wsaudio desktop; do
        echo "--- podman logs $NAME-$c (last 30 lines)" >&2
        podman logs "$NAME-$c" 2>&1 | tail -n 30 >&2 || :
      done
    fi
    podman kube down "$POD_YAML" > /dev/null 2>&1 || :
    podman pod rm -f "$NAME" > /dev/null 2>&1 || :
    podman volume rm -f "$NAME-tmp" > /dev/null 2>&1 || :
  fi
  podman secret rm "$NAME" > /dev/null 2>&1 || :
  if [ -n "$COMPOSE_UP" ]; then
    if [ "$status" -ne 0 ]; then
      for c in wsaudio desktop; do
        echo "--- podman logs ${NAME}_${c}_1 (last 30 lines)" >&2
        podman logs "${NAME}_${c}_1" 2>&1 | tail -n 30 >&2 || :
      done
    fi
    compose down -t 2 > /dev/null 2>&1 || :
    podman volume rm -f "${NAME}_sound-tmp" > /dev/null 2>&1 || :
    podman network rm -f "${NAME}_default" > /dev/null 2>&1 || :
  fi
  rm -rf "$TMP"
  echo "total: $(( $(date +%s) - T0 )) s"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

command -v podman-compose > /dev/null 2>&1 \
  || fail "podman-compose is not installed (tools/install-container-deps)"
command -v catatonit > /dev/null 2>&1 \
  || fail "catatonit (podman's pod infra) is not installed" \
    "(tools/install-container-deps)"

# This machine: runc (crun fails here) and explicit limits (the host's hard
# nofile limit is below podman's default) for kube play and podman-compose.
nofile=$(container_nofile)
cat > "$TMP/containers.conf" << CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$TMP/containers.conf"
export HOME="$TMP/home"
mkdir -p "$HOME"
export PULSE_CLIENTCONFIG="$SRC/pulse/client.conf"
unset PULSE_COOKIE PULSE_SERVER PULSEAUDIO_COOKIE WSAUDIO_TOKEN \
  CONTAINER_IP_ADDR POD_IP DBUS_SESSION_BUS_ADDRESS

# --- 1. the image ----------------------------------------------------------
step "base image, build $IMAGE"
build_test_image

# --- 2. the manifests ------------------------------------------------------
step "manifests"
python3 "$SRC/tests/deploy/manifest.py" check "$SRC/deploy/kubernetes" \
  || fail "deploy/kubernetes"
ok "deployment = pod template; service, network policy, secret agree"

# --- checks shared by the pod and compose ----------------------------------

# The cookie and the token, as the platform would make them.
COOKIE=$(head -c 256 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 -v | tr -d ' \n')

# sink_input_of CLIENT: the desktop's stream is playing into "speaker".
desktop_playing () {
  pactl list sink-inputs | grep -q 'application.name = "desktop-tone"'
}

# probe ARGS...: container-probe, once more when it fails: these checks are
# about the deployment, and a machine loaded by other work (2 cores, load
# above 4) now and then garbles a second of audio; a second failure fails.
probe () {
  "$PROBE" "$@" && return 0
  echo "# container-probe $1 failed once, again:"
  "$PROBE" "$@"
}

# audio_checks WHAT CONTAINER SPEAKER_PORT MICROPHONE_PORT: through
# PULSE_SERVER, the socket in the shared /tmp volume.
audio_checks () {
  wait_until 30 pactl info || fail "$1: PulseAudio does not answer"
  pactl info | grep -qx "Default Sink: speaker" || fail "$1: no default sink"
  pactl info | grep -qx "Default Source: microphone" \
    || fail "$1: no default source"
  wait_until 30 desktop_playing || fail "$1: the desktop plays nothing"
  ok "$1: PulseAudio on /tmp/.pulse.sock of the shared volume; the desktop plays into speaker"
  wait_until 30 podman healthcheck run "$2" || fail "$1: not healthy"
  # The readiness probe's command, as the kubelet runs it.
  podman exec "$2" /usr/libexec/wsaudio/healthcheck > /dev/null \
    || fail "$1: readiness command"
  ok "$1: liveness (podman healthcheck run) and readiness command: healthy"
  probe listen "$3" "/?jwt_token=x&token=$TOKEN" \
    || fail "$1: speaker"
  ok "$1: the desktop's 1 kHz tone from the speaker port (token)"
  probe microphone "$4" "/?token=$TOKEN&jwt_token=x" 44100 \
    || fail "$1: microphone 44.1 kHz"
  ok "$1: 44.1 kHz microphone tone recorded from \"microphone\" at 1 kHz"
  probe microphone "$4" "/?rate=48000&token=$TOKEN" 48000 \
    || fail "$1: microphone 48 kHz"
  ok "$1: 48 kHz microphone tone (declared) recorded at 1 kHz"
  "$PROBE" refused "$3" "/?jwt_token=x" > /dev/null \
    || fail "$1: the speaker port without the token"
  "$PROBE" refused "$4" "/?token=wrong" > /dev/null \
    || fail "$1: the microphone port with a wrong token"
  ok "$1: no token or a wrong one: HTTP 401 on both ports"
  # The resources, while a speaker client listens (for the README).
  "$PROBE" listen "$3" "/?token=$TOKEN" > /dev/null 2>&1 &
  listener=$!
  sleep 1.5
  podman stats --no-stream --format \
    '{{.Name}}: CPU {{.CPUPerc}}, memory {{.MemUsage}}, pids {{.PIDs}}' \
    "$2" "$5" | sed 's/^/# stats: /'
  wait "$listener" || fail "$1: speaker (during podman stats)"
}

# uids CONTAINER: the distinct real uids of the container's processes
# (those that ended since podman top listed them are left out).
uids () {
  podman top "$1" hpid | tail -n +2 | while read -r hpid; do
    awk '/^Uid:/ { print $2 }' "/proc/$hpid/status" 2> /dev/null
  done | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# security_checks WHAT SIDECAR DESKTOP: read-only root, uids, no
# capabilities.
security_checks () {
  for c in "$2" "$3"; do
    [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$c")" \
      = true ] || fail "$1: $c: root filesystem not read-only"
    ! podman exec "$c" touch /usr/share/wsaudio/x 2> /dev/null \
      || fail "$1: $c: the root filesystem is writable"
    podman top "$c" hpid | tail -n +2 | while read -r hpid; do
      # A short-lived process (a health check's exec) may have ended
      # since podman top listed it: nothing of it left to check.
      status=$(cat "/proc/$hpid/status" 2> /dev/null) || continue
      printf '%s\n' "$status" \
        | awk '/^CapEff:/ && $2 != "0000000000000000" { exit 1 }' \
        || { echo "capabilities: $hpid" >&2; exit 1; }
    done || fail "$1: $c: a process has capabilities"
  done
  [ "$(uids "$2")" = 1000 ] || fail "$1: sidecar uids: $(uids "$2")"
  [ "$(uids "$3")" = 1001 ] || fail "$1: desktop uids: $(uids "$3")"
  ok "$1: read-only root filesystems, uids 1000 and 1001, no capabilities"
}

# --- 3. the Pod: podman kube play -------------------------------------------
step "kubernetes pod: podman kube play"
# shellcheck disable=SC2046 # one word per port
set -- $("$PROBE" free-ports 4)
SPK=$1 MIC=$2 HTTP=$3 PTCP=$4
printf '{"pulseaudio-cookie": "%s", "token": "%s"}\n' \
  "$(printf %s "$COOKIE" | base64 -w 0)" \
  "$(printf %s "$TOKEN" | base64 -w 0)" > "$TMP/secret.json"
# podman 4.3 reads secretKeyRef from a podman secret holding the Secret's
# data as JSON (later versions also take a kind: Secret document).
podman secret create "$NAME" "$TMP/secret.json" > /dev/null
rm -f "$TMP/secret.json"
POD_YAML=$TMP/pod.yaml
python3 "$SRC/tests/deploy/manifest.py" variant \
  "$SRC/deploy/kubernetes/pod.yaml" "$POD_YAML" "$NAME" "$IMAGE" "$NAME" \
  "$SPK" "$MIC" "$HTTP" "$PTCP" || fail "manifest variant"
podman kube play "$POD_YAML" > "$TMP/play.log" 2>&1 || {
  cat "$TMP/play.log" >&2
  fail "podman kube play"
}
ok "podman kube play: pod $NAME"
volume=$(podman volume inspect --format '{{.Mountpoint}}' "$NAME-tmp") \
  || fail "pod: no volume $NAME-tmp"
export PULSE_SERVER="unix:$volume/.pulse.sock"
audio_checks pod "$NAME-wsaudio" "$SPK" "$MIC" "$NAME-desktop"
security_checks pod "$NAME-wsaudio" "$NAME-desktop"
# The cookie of the Secret: PulseAudio's TCP port takes it, only it.
printf %s "$COOKIE" | sed 's/../\\x&/g' | xargs -0 printf > "$TMP/cookie"
PULSE_COOKIE="$TMP/cookie" pactl -s "tcp:127.0.0.1:$PTCP" info > /dev/null \
  || fail "pod: TCP with the Secret's cookie refused"
ok "pod: PulseAudio on TCP takes the Secret's cookie"
unset PULSE_SERVER

step "podman kube down"
podman kube down "$POD_YAML" > "$TMP/down.log" 2>&1 || {
  cat "$TMP/down.log" >&2
  fail "podman kube down"
}
! podman pod exists "$NAME" || fail "pod $NAME still exists"
POD_YAML=""
podman volume rm -f "$NAME-tmp" > /dev/null 2>&1 || :
ok "podman kube down: pod removed"

# --- 4. compose: podman-compose ---------------------------------------------
step "compose: podman-compose up"
# shellcheck disable=SC2046 # one word per port
set -- $("$PROBE" free-ports 4)
export WSAUDIO_IMAGE="$IMAGE" WSAUDIO_PUBLISH_ADDR=127.0.0.1 \
  WSAUDIO_SPEAKER_PORT="$1" WSAUDIO_MICROPHONE_PORT="$2" WSAUDIO_HTTP_PORT="$3" \
  WSAUDIO_PULSE_TCP_PORT="$4" PULSEAUDIO_COOKIE="$COOKIE" WSAUDIO_TOKEN="$TOKEN"
COMPOSE_UP=1
compose up -d > "$TMP/compose.log" 2>&1 || {
  cat "$TMP/compose.log" >&2
  fail "podman-compose up"
}
# podman-compose 1.0.3 goes on after a failed podman run.
for c in wsaudio desktop; do
  [ "$(podman inspect --format '{{.State.Running}}' "${NAME}_${c}_1" \
    2> /dev/null)" = true ] || {
    cat "$TMP/compose.log" >&2
    fail "compose: ${NAME}_${c}_1 is not running"
  }
done
ok "podman-compose up: project $NAME"
volume=$(podman volume inspect --format '{{.Mountpoint}}' \
  "${NAME}_sound-tmp") || fail "compose: no volume ${NAME}_sound-tmp"
export PULSE_SERVER="unix:$volume/.pulse.sock"
audio_checks compose "${NAME}_wsaudio_1" "$WSAUDIO_SPEAKER_PORT" \
  "$WSAUDIO_MICROPHONE_PORT" "${NAME}_desktop_1"
security_checks compose "${NAME}_wsaudio_1" "${NAME}_desktop_1"
unset PULSE_SERVER

step "podman-compose down"
compose down -t 5 > "$TMP/compose-down.log" 2>&1 || {
  cat "$TMP/compose-down.log" >&2
  fail "podman-compose down"
}
for c in wsaudio desktop; do
  ! podman container exists "${NAME}_${c}_1" \
    || fail "compose: ${NAME}_${c}_1 still exists"
done
ok "podman-compose down: containers removed"

step "done"

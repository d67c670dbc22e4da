# shellcheck shell=sh
# wsaudio - shared by the container and deploy tests (sourced): messages,
# polling, and the test image built from the Containerfile.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The sourcing script sets SRC (source root) and IMAGE (the image's tag),
# then calls test_setup, which sets TMP (a scratch directory), T0 and
# STEP_T0 (start times, date +%s).

# test_setup WHAT: exits 77 (skipped) without podman, fails unless root
# (rootful podman, debootstrap, daemons started as other uids), and makes
# the scratch directory TMP (readable by those uids).
test_setup () {
  if ! command -v podman > /dev/null 2>&1; then
    echo "SKIP: podman is not installed (tools/install-container-deps)"
    exit 77
  fi
  [ "$(id -u)" -eq 0 ] || fail "the $1 tests need root (rootful podman)"
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/wsaudio-$1.XXXXXX")
  chmod 755 "$TMP"
  T0=$(date +%s)
  STEP_T0=$T0
}

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

ok () {
  echo "ok - $*"
}

# step TITLE: prints the time the previous step took and starts the next.
step () {
  now=$(date +%s)
  echo "# [$(( now - T0 )) s, previous step $(( now - STEP_T0 )) s] $*"
  STEP_T0=$now
}

# wait_until SECONDS COMMAND...: runs COMMAND every 100 ms until it
# succeeds; fails after SECONDS.
wait_until () {
  limit=$(( $(date +%s) + $1 ))
  shift
  until "$@" > /dev/null 2>&1; do
    [ "$(date +%s)" -lt "$limit" ] || return 1
    sleep 0.1
  done
}

# The open-files limit for containers: the host's hard limit caps what a
# container may get.
container_nofile () {
  _nofile=$(awk '/^Max open files/ { print $5 }' /proc/self/limits)
  if [ "$_nofile" = unlimited ] || [ "$_nofile" -gt 65536 ]; then
    _nofile=65536
  fi
  echo "$_nofile"
}

# build_test_image: the base image (tools/make-base-image: present, pulled,
# or debootstrapped) and $IMAGE built from the Containerfile with buildah
# (layers cached in podman's storage).
build_test_image () {
  "$SRC/tools/make-base-image" || fail "no base image"
  command -v buildah > /dev/null 2>&1 \
    || fail "buildah is not installed (tools/install-container-deps)"
  buildah bud --isolation chroot --format docker --layers --pull=never \
    -f "$SRC/Containerfile" -t "$IMAGE" "$SRC" > "$TMP/build.log" 2>&1 || {
    tail -n 40 "$TMP/build.log" >&2
    fail "buildah bud failed"
  }
  _size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
  ok "image $IMAGE built, $(( _size / 1000000 )) MB"
}

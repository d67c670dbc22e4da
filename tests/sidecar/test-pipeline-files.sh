#!/bin/sh
# wsaudio - sidecar tests: the bundled pipeline files build, and their
# variables expand as documented.
# SPDX-License-Identifier: LGPL-2.1-or-later
. "$(dirname "$0")/lib.sh"

print () {
  # print FILE [NAME=VALUE...]
  file=$1
  shift
  env "$@" "$WSAUDIO" print "$SRC/pipelines/$file"
}

expect () {
  # expect WHAT LINE NEEDLE
  case $2 in
    *"$3"*) ok "$1" ;;
    *) fail "$1: no '$3' in: $2" ;;
  esac
}

"$WSAUDIO" check "$SRC/pipelines" > "$TMP/check.log" 2>&1 \
  || fail "wsaudio check pipelines/: $(cat "$TMP/check.log")"
[ "$(grep -c '^OK: ' "$TMP/check.log")" -eq 2 ] \
  || fail "expected 2 pipelines: $(cat "$TMP/check.log")"
ok "wsaudio check pipelines/"

line=$(print speaker.pipeline)
expect "speaker source" "$line" "pulsesrc device=speaker.monitor "
expect "speaker format" "$line" "audio/x-raw,rate=44100,channels=1 ! twolamemp2enc bitrate=128 ! audio/mpeg,parsed=true ! mpegtsmux"
expect "speaker default port" "$line" "websocketsink name=speaker merge-buffer-lists=true port=29788 host=\"\" token=\"\""
line=$(print microphone.pipeline)
expect "microphone default port" "$line" "websocketsrc name=microphone latency=20 port=29789 host=\"\" token=\"\""
expect "microphone sink" "$line" "pulsesink device=micsink "

for f in speaker microphone; do
  line=$(print $f.pipeline POD_IP=10.9.9.9)
  expect "$f: POD_IP" "$line" "host=\"10.9.9.9\""
  line=$(print $f.pipeline CONTAINER_IP_ADDR=10.1.2.3 POD_IP=10.9.9.9)
  expect "$f: CONTAINER_IP_ADDR before POD_IP" "$line" "host=\"10.1.2.3\""
  line=$(print $f.pipeline CONTAINER_IP_ADDR= POD_IP=10.9.9.9)
  expect "$f: empty CONTAINER_IP_ADDR" "$line" "host=\"10.9.9.9\""
  line=$(print $f.pipeline WSAUDIO_TOKEN=common)
  expect "$f: WSAUDIO_TOKEN" "$line" "token=\"common\""
done

line=$(print speaker.pipeline WSAUDIO_SPEAKER_PORT=4000 \
  WSAUDIO_SPEAKER_TOKEN=own WSAUDIO_TOKEN=common \
  WSAUDIO_SPEAKER_DEVICE=alsa_output.pci.monitor)
expect "speaker port" "$line" "port=4000 "
expect "speaker token" "$line" "token=\"own\""
expect "speaker device" "$line" "pulsesrc device=alsa_output.pci.monitor "
line=$(print microphone.pipeline WSAUDIO_MICROPHONE_PORT=4001 \
  WSAUDIO_MICROPHONE_TOKEN=mine WSAUDIO_TOKEN=common \
  WSAUDIO_MICROPHONE_DEVICE=virtual_mic WSAUDIO_ALLOWED_ORIGINS=https://a.example \
  WSAUDIO_MICROPHONE_LATENCY=60)
expect "microphone port" "$line" "port=4001 "
expect "microphone latency" "$line" "latency=60 "
expect "microphone token" "$line" "token=\"mine\""
expect "microphone device" "$line" "pulsesink device=virtual_mic "
expect "allowed origins" "$line" "allowed-origins=\"https://a.example\""

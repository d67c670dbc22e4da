#!/usr/bin/env python3
# Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.
# Run from the repository root after changing an input format; the files it
# writes are committed. Frames are masked as browsers mask them; the
# upgrade requests are what Chromium and libsoup send.
import math
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'fuzz', 'corpus')


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data.encode() if isinstance(data, str) else data)


# ---- WebSocket frames (client to server: masked) -----------------------
MASK = bytes([0x37, 0xfa, 0x21, 0x3d])


def frame(opcode, payload, fin=True, mask=MASK):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack('>H', n)
    else:
        head += bytes([0x80 | 127]) + struct.pack('>Q', n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def quantum(start, rate=48000, n=128):
    """One AudioWorklet render quantum of a 440 Hz tone, F32LE."""
    return b''.join(struct.pack('<f', 0.5 * math.sin(2 * math.pi * 440 *
                                                      (start + i) / rate))
                    for i in range(n))


def close(code, reason=b''):
    return frame(8, struct.pack('>H', code) + reason)


# First byte: the message limit (index 3: 512 bytes, 4: 4096); second: how
# the stream is cut.
frames = {
    'binary-quantum': frame(2, quantum(0)),
    'binary-quanta-3': b''.join(frame(2, quantum(128 * i)) for i in range(3)),
    'text-hello': frame(1, b'hello'),
    'text-utf8': frame(1, 'grüße, 音声 🎤'.encode()),
    'ping-pong': frame(9, b'ping?') + frame(10, b'') + frame(2, quantum(0)),
    'close-normal': close(1000, b'bye'),
    'close-empty': frame(8, b''),
    'close-going-away': frame(2, quantum(0)) + close(1001),
    'fragmented-binary': frame(2, quantum(0)[:100], fin=False)
    + frame(9, b'x') + frame(0, quantum(0)[100:300], fin=False)
    + frame(0, quantum(0)[300:]),
    'fragmented-text': frame(1, 'grü'.encode()[:3], fin=False)
    + frame(0, 'grü'.encode()[3:] + b'sse'),
    'len16': frame(2, bytes(range(256)) * 2 + b'\x01' * 300),
    'len64': bytes([0x82, 0xff]) + struct.pack('>Q', 200) + MASK + bytes(200),
    'too-big': frame(2, bytes(5000)),
    'unmasked': bytes([0x82, 0x03]) + b'abc',
    'bad-utf8': frame(1, b'\xc3\x28'),
    'text-nul': frame(1, bytes(5)),
    'control-too-long': bytes([0x89, 0xfe, 0x00, 0x7e]) + MASK + bytes(126),
    'reserved-bits': bytes([0xc2, 0x81]) + MASK + b'a',
    'continuation-first': frame(0, b'abc'),
    'bad-close-code': close(1005) + close(999),
}
for i, (name, data) in enumerate(sorted(frames.items())):
    write('wsframe', name, bytes([3 if i % 2 else 4, i * 37 % 256]) + data)


# ---- websocketsrc payloads ---------------------------------------------
# Header: format (0 F32LE, 1 S16LE, 2 S24LE, 3 U8), rate (16 bits: an index
# into the list of rates, or 0x8000 | rate - 1), channels - 1, jitter in
# 4 ms, flags (1 infer, 2 drift, 4 no clock, 8 refuse rates, 0x30 latency).
# Ops: 0-2 message (size, delay in 100 us, pattern length, pattern), 3 catch up, 4 time
# passes, 5 talker leaves, 6 latency, 7 restart; message and wait ops catch
# up op >> 3 chunks afterwards.
def header(fmt, rate_index, channels, jitter_ms, flags):
    return bytes([fmt]) + struct.pack('>H', rate_index) + \
        bytes([channels - 1, jitter_ms // 4, flags])


def msg(size, delay_100us, content, catch_up=1):
    return bytes([catch_up << 3]) + struct.pack('>HH', size, delay_100us) + \
        bytes([len(content)]) + content


def wait(delay_100us, catch_up=1):
    return bytes([4 | catch_up << 3]) + struct.pack('>H', delay_100us)


q = quantum(0)
payload = {
    # The front end: 48 kHz declared (index 1), 128 samples every 2.67 ms.
    'mic-48k-declared': header(0, 1, 1, 40, 2)
    + b''.join(msg(512, 27, q[:64]) for _ in range(60)),
    # Undeclared: the rate is inferred (index 0 is 44100, the default).
    'mic-48k-inferred': header(0, 0, 1, 40, 3)
    + b''.join(msg(512, 27 if i % 3 else 26, q[:32]) for i in range(120)),
    # Stereo S16LE at 16 kHz in odd sizes: frames carried over.
    'stereo-s16-partial': header(1, 3, 2, 20, 2)
    + b''.join(msg(s, 10, bytes(range(s % 50))) for s in (3, 7, 1, 250, 5, 2))
    + bytes([3]),
    # A stall then the backlog at once, then the talker leaves and another
    # comes.
    'stall-burst': header(0, 1, 1, 40, 2)
    + b''.join(msg(512, 27, q[:16]) for _ in range(10)) + wait(3000, 0)
    + b''.join(msg(512, 0, q[:16], 0) for _ in range(40)) + bytes([3])
    + bytes([5]) + b''.join(msg(512, 27, q[:16]) for _ in range(10)),
    # No clock, S24LE, odd rate.
    'no-clock-s24': header(2, 0x8000 | 11024, 3, 0, 4)
    + b''.join(msg(90, 0, bytes([i])) for i in range(20)) + bytes([7])
    + b''.join(msg(9, 0, b'') for i in range(5)),
    # Latency changes and silence fills.
    'latency-fill': header(1, 5, 1, 100, 0x12)
    + msg(882, 100, b'\x00\x10') + bytes([6, 5]) + wait(2000) + wait(20000)
    + msg(882, 100, b'\x10\x00'),
}
for name, data in payload.items():
    write('wssrc-payload', name, data)


# ---- query strings -----------------------------------------------------
queries = [
    'rate=48000&channels=1&format=F32LE',
    'format=S16LE&channels=2&rate=16000',
    'rate=48000&channels=1&format=F32LE&jwt_token=eyJhbGciOiJIUzI1NiJ9.e30.x',
    'token=s3cret&rate=48000',
    'rate=0', 'rate=768001', 'rate=-1', 'rate=+48000', 'rate=%2048000',
    'rate=048000', 'channels=9', 'channels=', 'format=U8', 'format=f32le',
    'rate=44100&rate=48000', 'rate=4%38000', 'a&b=&=c&&=', 'format=F32LE%00',
]
for i, s in enumerate(queries):
    write('wsquery', 'query-%02d' % i, s)


# ---- upgrade requests --------------------------------------------------
chromium = (
    'GET /?jwt_token=eyJhbGciOiJIUzI1NiJ9.e30.x HTTP/1.1\r\n'
    'Host: desk.example.com\r\n'
    'Connection: Upgrade\r\n'
    'Pragma: no-cache\r\n'
    'Cache-Control: no-cache\r\n'
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 '
    '(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n'
    'Upgrade: websocket\r\n'
    'Origin: https://desk.example.com\r\n'
    'Sec-WebSocket-Version: 13\r\n'
    'Accept-Encoding: gzip, deflate, br\r\n'
    'Accept-Language: en-US,en;q=0.9\r\n'
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
    'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n'
    '\r\n')
libsoup = (
    'GET /?rate=48000 HTTP/1.1\r\n'
    'Host: 127.0.0.1:29789\r\n'
    'Accept-Encoding: gzip, deflate\r\n'
    'Upgrade: websocket\r\n'
    'Connection: Upgrade\r\n'
    'Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n'
    'Sec-WebSocket-Version: 13\r\n'
    'Authorization: Bearer s3cret\r\n'
    '\r\n')
upgrades = {
    'chromium': chromium,
    'chromium-token': chromium.replace('jwt_token=eyJhbGciOiJIUzI1NiJ9.e30.x',
                                       'token=s3cret&rate=48000'),
    'libsoup-bearer': libsoup,
    'proxy-absolute': 'GET http://10.0.0.5:29788/?token=s3cret HTTP/1.1\r\n'
    'Host: 10.0.0.5:29788\r\nUpgrade: websocket\r\nConnection: upgrade\r\n'
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
    'Sec-WebSocket-Version: 13\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n',
    'named-settings': 'GET /sound?token=abc HTTP/1.1\r\nHost: h\r\n'
    'Origin: http://localhost:8080\r\nX-Fuzz-Path: /sound\r\n'
    'X-Fuzz-Token: abc\r\nX-Fuzz-Origins: https://a.example, '
    'http://localhost:8080\r\n\r\n',
    'bearer-spaces': 'GET / HTTP/1.1\r\nHost: h\r\n'
    'Authorization: bearer    s3cret\r\nX-Fuzz-Token: s3cret\r\n\r\n',
    'http10-no-host': 'GET /?token=%73%33cret HTTP/1.0\r\n\r\n',
    'dotdot': 'GET /a/../b HTTP/1.1\r\nHost: h\r\n\r\n',
    'options-star': 'OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n',
}
for name, data in upgrades.items():
    write('wsupgrade', name, data)


# ---- pipeline and process files ----------------------------------------
def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


files = {
    'microphone-env': 'WSAUDIO_MICROPHONE_PORT=1234\nPOD_IP=10.0.0.1\n'
    'WSAUDIO_TOKEN=s3cret\0' + read('pipelines/microphone.pipeline'),
    'speaker-noenv': read('pipelines/speaker.pipeline'),
    'speaker-env': 'CONTAINER_IP_ADDR=192.0.2.7\nWSAUDIO_SPEAKER_PACKETS=7\0'
    + read('pipelines/speaker.pipeline'),
    'pulseaudio-process': 'PATH=/usr/bin:/bin\0'
    + read('pulse/pulseaudio.process'),
    'duplicate-key': '[pipeline]\nlaunch = fakesrc ! fakesink\n'
    'launch = x\nrestart = sometimes\nrestart-delay = -5ms\n',
    'unknown-group': '[pipeline]\nlaunch=${A:-${B:-$$}} ! fakesink\n'
    '[other]\nkey=1\n',
    'unset-var': 'A=\0[pipeline]\nname = bad name!\nlaunch = ${A} ${UNSET}\n'
    'idle-timeout = 10 parsecs\non-demand = a b\n',
    'process-exec': 'HOME=/root\0[process]\nexec = /bin/sh -c "echo ${HOME}"\n'
    'stop-timeout = 1.5s\nrestart = on-failure\n',
}
for name, data in files.items():
    write('pipeline-file', name, data)

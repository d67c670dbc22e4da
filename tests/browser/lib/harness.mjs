// wsaudio - browser tests: the parts each test starts and stops itself.
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A private PulseAudio with the bundled configuration (pulse/run-pulseaudio,
// its socket and state in a temporary directory), the launcher on a bundled
// pipeline file (port 0, read back from its log), a static HTTP server for
// the pages and JSMpeg, and Debian's chromium driven by playwright-core.
// Nothing waits a fixed time: waitFor polls a condition until a timeout.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const browserDir = join(here, '..');
export const sourceRoot = process.env.WSAUDIO_SOURCE_ROOT ?? join(here, '../../..');
export const wsaudioPath = process.env.WSAUDIO_PATH ?? join(sourceRoot, 'build/launcher/wsaudio');
export const chromiumPath = process.env.WSAUDIO_CHROMIUM ?? '/usr/bin/chromium';

export const TIMEOUT_MS = 15000;

export async function waitFor(what, condition, timeoutMs = TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A child process whose stderr (and stdout unless taken) is kept as text.
class Child {
  constructor(name, argv, env, { stdout = 'log' } = {}) {
    this.name = name;
    this.log = '';
    this.exited = false;
    this.proc = spawn(argv[0], argv.slice(1), {
      env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (text) => { this.log += text; });
    if (stdout === 'log') {
      this.proc.stdout.setEncoding('utf8');
      this.proc.stdout.on('data', (text) => { this.log += text; });
    }
    this.proc.on('exit', (code, signal) => {
      this.exited = true;
      this.status = signal ?? code;
    });
  }

  async stop() {
    if (this.exited) return this.status;
    this.proc.kill('SIGTERM');
    await once(this.proc, 'exit');
    return this.status;
  }
}

// One test's world: a temporary directory that is HOME, XDG_RUNTIME_DIR and
// the home of the PulseAudio socket, and the processes started in it.
export class Sidecar {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'wsaudio-browser-'));
    this.children = [];
    this.env = {
      ...process.env,
      HOME: this.dir,
      XDG_RUNTIME_DIR: this.dir,
      PULSE_SERVER: `unix:${this.dir}/pulse.sock`,
      PULSE_CLIENTCONFIG: join(sourceRoot, 'pulse/client.conf'),
      CONTAINER_IP_ADDR: '127.0.0.1',
      WSAUDIO_SPEAKER_PORT: '0',
      WSAUDIO_MICROPHONE_PORT: '0',
    };
    for (const name of ['PULSE_COOKIE', 'PULSEAUDIO_COOKIE', 'POD_IP',
      'WSAUDIO_TOKEN', 'WSAUDIO_SPEAKER_TOKEN', 'WSAUDIO_MICROPHONE_TOKEN',
      'DBUS_SESSION_BUS_ADDRESS']) delete this.env[name];
  }

  start(name, argv, options) {
    const child = new Child(name, argv, this.env, options);
    this.children.push(child);
    return child;
  }

  run(argv) {
    return new Promise((resolve) => {
      const proc = spawn(argv[0], argv.slice(1), { env: this.env, stdio: 'ignore' });
      proc.on('exit', (code) => resolve(code === 0));
      proc.on('error', () => resolve(false));
    });
  }

  // PulseAudio with pulse/sidecar.pa and pulse/daemon.conf.
  async startPulse() {
    this.pulse = this.start('pulseaudio', [join(sourceRoot, 'pulse/run-pulseaudio')]);
    await waitFor('PulseAudio', async () => {
      if (this.pulse.exited) throw new Error(`PulseAudio exited:\n${this.pulse.log}`);
      return this.run(['pactl', 'info']);
    });
  }

  // `wsaudio run pipelines/FILE`; resolves to the port of ELEMENT.
  async startPipeline(file, pipeline, element) {
    const child = this.start('wsaudio',
      [wsaudioPath, 'run', join(sourceRoot, 'pipelines', file)]);
    const needle = new RegExp(`pipeline=${pipeline} element=${element} port=(\\d+)`);
    const match = await waitFor(`the port of ${element}`, () => {
      if (child.exited) throw new Error(`wsaudio exited:\n${child.log}`);
      return needle.exec(child.log);
    });
    this.wsaudio = child;
    return Number(match[1]);
  }

  // A 1 kHz tone played into the sink "speaker", as a desktop application.
  playTone() {
    return this.start('tone', ['gst-launch-1.0', '-q', 'audiotestsrc', 'is-live=true',
      'freq=1000', 'volume=0.5', '!', 'audio/x-raw,rate=44100,channels=1', '!',
      'pulsesink', 'device=speaker']);
  }

  // Records the source "microphone" as 44.1 kHz mono float samples.
  record() {
    const child = this.start('parec', ['parec', '--device=microphone',
      '--format=float32le', '--rate=44100', '--channels=1', '--raw',
      '--latency-msec=20'], { stdout: 'take' });
    const recording = { rate: 44100, samples: new Pcm(), child };
    let rest = Buffer.alloc(0);
    child.proc.stdout.on('data', (data) => {
      const bytes = Buffer.concat([rest, data]);
      const whole = bytes.length - (bytes.length % 4);
      const floats = new Float32Array(whole / 4);
      for (let i = 0; i < floats.length; i++) floats[i] = bytes.readFloatLE(i * 4);
      recording.samples.append(floats);
      rest = bytes.subarray(whole);
    });
    return recording;
  }

  // A WAV of a 1 kHz sine made with sox, for chromium's fake capture device.
  async makeToneWav(rate, seconds) {
    const path = join(this.dir, `tone-${rate}.wav`);
    const ok = await this.run(['sox', '-n', '-r', String(rate), '-c', '1', '-b', '16',
      path, 'synth', String(seconds), 'sine', '1000', 'vol', '0.5']);
    if (!ok) throw new Error('sox failed');
    return path;
  }

  logs() {
    return this.children.map((c) => `--- ${c.name}\n${c.log}`).join('\n');
  }

  async stop() {
    for (const child of this.children.reverse()) await child.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// Growing float sample storage.
export class Pcm {
  constructor() {
    this.data = new Float32Array(1 << 16);
    this.length = 0;
  }

  append(samples) {
    if (this.length + samples.length > this.data.length) {
      let size = this.data.length;
      while (size < this.length + samples.length) size *= 2;
      const bigger = new Float32Array(size);
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
    this.data.set(samples, this.length);
    this.length += samples.length;
  }

  view(from = 0, to = this.length) {
    return this.data.subarray(from, to);
  }
}

// As tests/plugin/tone.c: frequency from the rising zero crossings,
// interpolated between samples.
export function toneFrequency(s, rate) {
  let first = -1;
  let last = -1;
  let crossings = 0;
  for (let i = 1; i < s.length; i++) {
    if (s[i - 1] < 0 && s[i] >= 0) {
      const t = i - 1 + s[i - 1] / (s[i - 1] - s[i]);
      if (first < 0) first = t;
      last = t;
      crossings++;
    }
  }
  return crossings < 2 ? 0 : ((crossings - 1) * rate) / (last - first);
}

// The frequency of each 100 ms window: their median, and the share of
// windows within 2 % of HZ.  A dropout (a busy machine) spoils the window it
// falls in, not the whole measurement; a wrong pitch moves all of them.
export function medianFrequency(s, rate, hz) {
  const w = Math.floor(rate / 10);
  const f = [];
  for (let i = 0; i + w <= s.length; i += w) f.push(toneFrequency(s.subarray(i, i + w), rate));
  const good = f.filter((x) => Math.abs(x - hz) <= 0.02 * hz).length / f.length;
  f.sort((a, b) => a - b);
  const m = f.length >> 1;
  const median = f.length % 2 ? f[m] : (f[m - 1] + f[m]) / 2;
  return { median, good, windows: f.length };
}

// Asserts that S is a 1 kHz tone (see medianFrequency; at least 70 % of
// the windows right) of RMS over MIN_RMS; returns the measurements.
export function assertTone(s, rate, minRms) {
  const { median, good } = medianFrequency(s, rate, 1000);
  const m = { median, good, overall: toneFrequency(s, rate), rms: toneRms(s) };
  m.text = `${median.toFixed(2)} Hz (median of 100 ms windows, ` +
    `${Math.round(good * 100)} % of them within 2 %; ` +
    `${m.overall.toFixed(2)} Hz over all), RMS ${m.rms.toFixed(3)}`;
  assert.ok(Math.abs(median - 1000) <= 20, m.text);
  assert.ok(good >= 0.7, m.text);
  assert.ok(m.rms > minRms, `(nearly) silent: ${m.text}`);
  return m;
}

export function toneRms(s) {
  let sum = 0;
  for (const v of s) sum += v * v;
  return s.length ? Math.sqrt(sum / s.length) : 0;
}

// Index of the first 10 ms window over THRESHOLD RMS, or -1.
export function onset(s, rate, threshold = 0.05) {
  const w = Math.floor(rate / 100);
  for (let i = 0; i + w <= s.length; i += w) {
    if (toneRms(s.subarray(i, i + w)) > threshold) return i;
  }
  return -1;
}

// The SECONDS of PCM that follow the onset of a tone by SETTLE seconds, or
// null while there are not that many yet.
export function toneWindow(pcm, rate, settle, seconds) {
  const start = onset(pcm.view(), rate);
  if (start < 0) return null;
  const from = start + Math.round(settle * rate);
  const to = from + Math.round(seconds * rate);
  return pcm.length >= to ? pcm.view(from, to) : null;
}

const types = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
};

// Serves tests/browser/pages/ at / and the JSMpeg player's dist/ at /jsmpeg/.
export async function startHttpServer() {
  const roots = {
    '/jsmpeg/': join(browserDir, 'node_modules/@cycjimmy/jsmpeg-player/dist'),
    '/': join(browserDir, 'pages'),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const prefix = Object.keys(roots).find((p) => path.startsWith(p));
    const file = normalize(join(roots[prefix], path.slice(prefix.length)));
    if (!file.startsWith(roots[prefix]) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

export const chromiumFlags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

// Debian's chromium with a new empty profile; never a downloaded browser.
export async function launchChromium(sidecar, extraFlags = []) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(sidecar.dir, 'profile-'));
  // Chromium plays nothing into the test's PulseAudio: an unreachable
  // server leaves it a fake audio output that still runs the graph.
  const env = { ...sidecar.env, PULSE_SERVER: `unix:${sidecar.dir}/no-such-socket` };
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumFlags, ...extraFlags],
    env,
  });
  return { context };
}

// wsaudio - browser tests: the browser's microphone on the desktop.  Headless
// chromium with a fake capture device playing a sox-made 1 kHz WAV runs a
// page that does what the front end does (getUserMedia -> AudioWorklet ->
// one binary WebSocket message per 128-sample render quantum) against
// pipelines/microphone.pipeline in the launcher; the private PulseAudio's
// source "microphone" must record the tone: with chromium's default
// AudioContext, and with one at 48 kHz as desktops often have, declared in
// the URL or, as the real front end does, not (websocketsrc infers it).
// SPDX-License-Identifier: LGPL-2.1-or-later
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Sidecar, assertTone, launchChromium, startHttpServer, toneWindow, waitFor,
} from './lib/harness.mjs';

const SETTLE_SECONDS = 0.5;
const ANALYSE_SECONDS = 1.0;

let sidecar;
let http;
let browser;
let port;

before(async () => {
  sidecar = new Sidecar();
  await sidecar.startPulse();
  http = await startHttpServer();
  port = await sidecar.startPipeline('microphone.pipeline', 'microphone',
    'microphone');
  const wav = await sidecar.makeToneWav(48000, 10);
  browser = await launchChromium(sidecar, [
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
  ]);
});

after(async () => {
  await browser?.context.close();
  http?.server.close();
  await sidecar?.stop();
});

async function checkMicrophone(t, query, expectedRate) {
  const recording = sidecar.record();
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${http.base}/microphone.html?ws=ws://127.0.0.1:${port}/${query}`);

  let window = null;
  try {
    window = await waitFor('the tone from "microphone"', async () => {
      const state = await page.evaluate(() => window.microphone);
      if (state.error) throw new Error(`page: ${state.error}`);
      return toneWindow(recording.samples, recording.rate, SETTLE_SECONDS,
        ANALYSE_SECONDS);
    });
  } finally {
    if (!window) {
      const state = await page.evaluate(() => window.microphone);
      t.diagnostic(`page ${JSON.stringify(state)}, recorded ` +
        `${recording.samples.length}\n${sidecar.logs()}`);
    }
  }

  const state = await page.evaluate(() => window.microphone);
  const userAgent = await page.evaluate(() => navigator.userAgent);
  t.diagnostic(`${userAgent}: AudioContext at ${state.rate} Hz, ` +
    `${state.sent} messages to ${state.url}`);
  await page.close();
  await recording.child.stop();

  assert.deepEqual(errors, []);
  if (expectedRate) assert.equal(state.rate, expectedRate);
  if (query.includes('declare=0')) assert.doesNotMatch(state.url, /[?&]rate=/);
  assert.ok(state.open, 'the WebSocket is open');
  // Every message is one render quantum: 128 float32 samples.
  assert.deepEqual(Object.keys(state.sizes), ['512']);
  assert.ok(state.sent > 100, `${state.sent} messages`);
  // The WAV is at RMS 0.35; chromium's capture processing (getUserMedia
  // defaults) lowers it to about 0.12.
  const tone = assertTone(window, recording.rate, 0.05);
  t.diagnostic(`recorded from "microphone": ${tone.text}`);
  assert.doesNotMatch(sidecar.wsaudio.log, /state=restarting/);
}

test('default AudioContext: the tone reaches "microphone"', async (t) => {
  await checkMicrophone(t, '', 0);
});

test('48 kHz AudioContext: the tone reaches "microphone"', async (t) => {
  await checkMicrophone(t, '&context-rate=48000', 48000);
});

// The front end as it is: nothing declared, and the tone must still come
// out at 1 kHz (it came out at 919 Hz from the old container).
test('48 kHz AudioContext, nothing declared: the right pitch', async (t) => {
  await checkMicrophone(t, '&context-rate=48000&declare=0', 48000);
});

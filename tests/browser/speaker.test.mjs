// wsaudio - browser tests: the desktop's speaker audio in the front end's
// player.  A private PulseAudio plays a 1 kHz tone into "speaker";
// pipelines/speaker.pipeline runs in the launcher; headless chromium loads a
// page creating `new JSMpeg.Player(url, {})` (npm @cycjimmy/jsmpeg-player)
// against the speaker port; what the player outputs to its AudioContext is
// recorded and must be the tone.
// SPDX-License-Identifier: LGPL-2.1-or-later
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  Pcm, Sidecar, assertTone, launchChromium, startHttpServer, toneWindow,
  waitFor,
} from './lib/harness.mjs';

const SETTLE_SECONDS = 0.5;
const ANALYSE_SECONDS = 1.0;

let sidecar;
let http;
let browser;

before(async () => {
  sidecar = new Sidecar();
  await sidecar.startPulse();
  http = await startHttpServer();
});

after(async () => {
  await browser?.context.close();
  http?.server.close();
  await sidecar?.stop();
});

test('JSMpeg plays the speaker tone', async (t) => {
  const port = await sidecar.startPipeline('speaker.pipeline', 'speaker', 'speaker');
  sidecar.playTone();
  browser = await launchChromium(sidecar);
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(`${http.base}/speaker.html?ws=ws://127.0.0.1:${port}/`);
  const pcm = new Pcm();
  let rate = 0;
  let window = null;
  try {
    window = await waitFor('the tone at the player\'s output', async () => {
      const got = await page.evaluate(() => ({
        rate: window.outputTap.sampleRate, samples: window.outputTap.take(),
      }));
      rate = got.rate;
      pcm.append(Float32Array.from(got.samples));
      return rate > 0 && toneWindow(pcm, rate, SETTLE_SECONDS, ANALYSE_SECONDS);
    });
  } finally {
    if (!window) t.diagnostic(`${pcm.length} samples at ${rate} Hz\n${sidecar.logs()}`);
  }

  const info = await page.evaluate(() => ({
    userAgent: navigator.userAgent, contexts: window.outputTap.contexts,
  }));
  t.diagnostic(`${info.userAgent}: AudioContext at ${rate} Hz`);
  assert.deepEqual(errors, []);
  assert.equal(info.contexts, 1, 'the player made one AudioContext');
  // The tone is played at RMS 0.35; JSMpeg's MP2 decoder (WASM and JS
  // alike) outputs half the amplitude mpg123 does, RMS 0.18.
  const tone = assertTone(window, rate, 0.1);
  t.diagnostic(`player output: ${tone.text}`);
  assert.match(sidecar.wsaudio.log, /pipeline=speaker state=playing/);
  assert.doesNotMatch(sidecar.wsaudio.log, /state=restarting/);
});

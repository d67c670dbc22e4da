// wsaudio - browser tests: the front end's microphone AudioWorklet: each
// render quantum (128 samples) of the first input channel, as float32.
// SPDX-License-Identifier: LGPL-2.1-or-later
class MicrophoneSender extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0][0];
    if (channel) {
      const copy = new Float32Array(channel);
      this.port.postMessage(copy.buffer, [copy.buffer]);
    }
    return true;
  }
}

registerProcessor('microphone-sender', MicrophoneSender);

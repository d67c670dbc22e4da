// wsaudio - browser tests: AudioWorklet processor of output-tap.js.
// SPDX-License-Identifier: LGPL-2.1-or-later
// Posts its (mono) input in blocks of 4096 samples.
class OutputTap extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Float32Array(4096);
    this.filled = 0;
  }

  process(inputs) {
    const input = inputs[0][0];
    if (!input) return true;
    for (let i = 0; i < input.length; i++) {
      this.block[this.filled++] = input[i];
      if (this.filled === this.block.length) {
        this.port.postMessage(this.block.buffer, [this.block.buffer]);
        this.block = new Float32Array(4096);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('output-tap', OutputTap);

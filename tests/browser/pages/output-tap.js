// wsaudio - browser tests: records what a page's AudioContexts play.
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Load before the player.  Every AudioNode connected to an AudioContext's
// destination is also connected to a recording AudioWorkletNode (no
// outputs, so it runs without being connected further), which hands the
// rendered samples, downmixed to mono, to window.outputTap.take().  The
// player itself is not touched: this is what would reach the speakers.
(() => {
  const NativeAudioContext = window.AudioContext;
  const connect = AudioNode.prototype.connect;
  const chunks = [];
  const tap = {
    sampleRate: 0,
    contexts: 0,
    frames: 0,
    // Samples recorded since the last call, as a plain array.
    take() {
      const out = [];
      for (const chunk of chunks.splice(0)) for (const v of chunk) out.push(v);
      return out;
    },
  };
  window.outputTap = tap;

  function track(context) {
    const sources = [];
    let recorder = null;
    context.__tapSources = sources;
    context.audioWorklet.addModule('tap-processor.js').then(() => {
      recorder = new AudioWorkletNode(context, 'output-tap', {
        numberOfInputs: 1, numberOfOutputs: 0,
        channelCount: 1, channelCountMode: 'explicit',
        channelInterpretation: 'speakers',
      });
      recorder.port.onmessage = (e) => {
        chunks.push(new Float32Array(e.data));
        tap.frames += e.data.byteLength / 4;
      };
      for (const node of sources) connect.call(node, recorder);
      context.__tapRecorder = recorder;
    });
  }

  window.AudioContext = class extends NativeAudioContext {
    constructor(options) {
      super(options);
      tap.contexts++;
      tap.sampleRate = this.sampleRate;
      track(this);
    }
  };
  window.webkitAudioContext = window.AudioContext;

  AudioNode.prototype.connect = function (destination, ...rest) {
    const result = connect.call(this, destination, ...rest);
    if (destination instanceof AudioDestinationNode) {
      const context = destination.context;
      if (context.__tapRecorder) connect.call(this, context.__tapRecorder);
      else if (context.__tapSources) context.__tapSources.push(this);
    }
    return result;
  };
})();

// What a model costs in the firmware: the wasm time of the front end plus the network, measured as
// the difference between processing the same signal with and without the model (the lightest ANC,
// best of several fresh runs), per second of audio and per inference.
import { performance } from 'node:perf_hooks';
import { loadFirmware } from '../../firmware/loader.ts';
import type { ClassifierModel } from '../../firmware/model-blob.ts';
import { createRandom } from '../../simulator/acoustics/random.ts';

export interface WasmTiming {
  ancRate: number;
  /** Front end and network, microseconds of wasm time per second of audio. */
  microsPerAudioSecond: number;
  /** The same divided by the inferences in that second (so it includes the frames between them). */
  microsPerInference: number;
}

export function timeInWasm(blob: Uint8Array, model: ClassifierModel, ancRate = 48000, seconds = 2, repetitions = 3): WasmTiming {
  const random = createRandom(99);
  const signal = Float32Array.from({ length: ancRate * seconds }, () => 0.1 * random.gaussian());
  const run = (withModel: boolean) => {
    let best = Infinity;
    for (let r = 0; r <= repetitions; r++) {
      const fw = loadFirmware().init(ancRate).configure({ algorithm: 'lms', taps: 1 });
      if (withModel) fw.loadModel(blob);
      const t0 = performance.now();
      fw.process(signal, signal, 64);
      if (r > 0) best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const micros = (Math.max(0, run(true) - run(false)) * 1000) / seconds;
  const { sampleRate, hopLength, inferInterval } = model.features;
  return { ancRate, microsPerAudioSecond: micros, microsPerInference: micros / (sampleRate / (hopLength * inferInterval)) };
}

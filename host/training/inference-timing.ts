// What a model costs in the firmware: the wasm time of the front end plus the network, measured as
// the difference between processing the same signal with and without the model (the lightest ANC),
// per second of audio and per inference. The difference is a few per cent of the total, so one
// long timed run per configuration drowns it in a loaded machine's noise (it read 0): instead two
// firmwares take turns on short chunks of one inference interval each, and the fastest chunk of
// each counts (the moments the machine left the process alone).
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

const BLOCK = 64;

export function timeInWasm(blob: Uint8Array, model: ClassifierModel, ancRate = 48000, chunks = 200): WasmTiming {
  const { sampleRate, hopLength, inferInterval, contextFrames } = model.features;
  // one chunk = one inference interval at the ANC's rate, so every chunk holds exactly one inference
  const chunk = hopLength * inferInterval * (ancRate / sampleRate);
  const warm = Math.ceil(contextFrames / inferInterval) + 1; // chunks until the context is full
  const random = createRandom(99);
  const signal = Float32Array.from({ length: chunk * (warm + 4) }, () => 0.1 * random.gaussian());
  const firmwares = [false, true].map((withModel) => {
    const fw = loadFirmware().init(ancRate).configure({ algorithm: 'lms', taps: 1 });
    if (withModel) fw.loadModel(blob);
    const head = signal.subarray(0, warm * chunk);
    fw.process(head, head, BLOCK);
    return fw;
  });
  const best = [Infinity, Infinity];
  for (let n = 0; n < chunks; n++) {
    const at = (warm + (n % 4)) * chunk;
    const part = signal.subarray(at, at + chunk);
    firmwares.forEach((fw, i) => {
      const t0 = performance.now();
      fw.process(part, part, BLOCK);
      best[i] = Math.min(best[i]!, performance.now() - t0);
    });
  }
  const chunkSeconds = chunk / ancRate;
  const micros = (Math.max(0, best[1]! - best[0]!) * 1000) / chunkSeconds;
  return { ancRate, microsPerAudioSecond: micros, microsPerInference: micros / (sampleRate / (hopLength * inferInterval)) };
}

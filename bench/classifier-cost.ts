// The classifier's share of the firmware's time at 48 kHz: the time the front end and the network
// add to a 1-tap LMS (whose own cost is tiny, so the difference is stable), against the ANC's
// time for FxLMS at 256 taps, each best of several fresh runs, in both builds. The target
// is at most 10 %.
import { performance } from 'node:perf_hooks';
import { loadFirmware, type FirmwareVariant, type ParamName } from '../firmware/loader.ts';
import { encodeModelBlob, type ClassifierModel } from '../firmware/model-blob.ts';
import { noisySignal, testModel } from '../test/firmware/classifier-fixtures.ts';
import { BLOCK, SAMPLE_RATE } from './workload.ts';

export interface ClassifierCost {
  variant: FirmwareVariant;
  model: string;
  /** microseconds per second of audio */
  ancMicros: number;
  classifierMicros: number;
  share: number;
}

function time(variant: FirmwareVariant, params: Partial<Record<ParamName, number | 'lms' | 'fxlms'>>, blob: Uint8Array | undefined, signal: Float32Array, repetitions: number): number {
  let best = Infinity;
  for (let rep = 0; rep <= repetitions; rep++) {
    const fw = loadFirmware({ variant }).init(SAMPLE_RATE).configure(params);
    if (blob) fw.loadModel(blob);
    const t0 = performance.now();
    fw.process(signal, signal, BLOCK);
    if (rep > 0) best = Math.min(best, performance.now() - t0);
  }
  return (best * 1000) / (signal.length / SAMPLE_RATE);
}

export function classifierCost(quick: boolean): ClassifierCost[] {
  const signal = noisySignal(SAMPLE_RATE * (quick ? 1 : 4), SAMPLE_RATE);
  const repetitions = quick ? 3 : 9;
  const models: [string, ClassifierModel][] = [
    ['dense 200-64-11, 40 log-mel x 5 at 16 kHz, hop 10 ms, infer every 2 hops', testModel('dense', 1)],
    ['depthwise-separable, same features', testModel('conv', 1)],
  ];
  const out: ClassifierCost[] = [];
  for (const variant of ['scalar', 'simd'] as const) {
    const anc = time(variant, { algorithm: 'fxlms', taps: 256 }, undefined, signal, repetitions);
    const light = time(variant, { algorithm: 'lms', taps: 1 }, undefined, signal, repetitions);
    for (const [model, m] of models) {
      const classifierMicros = Math.max(0, time(variant, { algorithm: 'lms', taps: 1 }, encodeModelBlob(m), signal, repetitions) - light);
      out.push({ variant, model, ancMicros: anc, classifierMicros, share: classifierMicros / anc });
    }
  }
  return out;
}

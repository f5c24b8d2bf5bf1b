// Times one implementation in the workload's closed loop: only the time spent processing blocks
// counts (the plant's arithmetic does not), and the figure is the best of several repetitions, each
// on a fresh engine, so it is what the machine can do when nothing interferes.
import { performance } from 'node:perf_hooks';
import { loadFirmware } from '../firmware/loader.ts';
import { runClosedLoop, type BlockProcessor } from '../simulator/reference/closed-loop.ts';
import { ReferenceEngine } from '../simulator/reference/engine.ts';
import { startFirmware } from '../simulator/reference/started-firmware.ts';
import { BLOCK, SAMPLE_RATE, type Workload } from './workload.ts';

export type Implementation = 'scalar' | 'simd' | 'typescript';

export interface Measurement {
  samplesPerSecond: number;
  /** stability-guard recoveries over all runs (firmware only) */
  recoveries: number;
  /** anti-noise and error mic of the last run, for cross-checks and replays */
  out: Float64Array;
  error: Float32Array;
}

function start(impl: Implementation, w: Workload): { proc: BlockProcessor; recoveries: () => number } {
  if (impl === 'typescript') {
    const engine = new ReferenceEngine().init(SAMPLE_RATE).configure(w.params).setSecondaryPath(w.secondaryPath);
    return { proc: engine, recoveries: () => 0 };
  }
  const fw = loadFirmware({ variant: impl }).init(SAMPLE_RATE);
  return { proc: startFirmware(fw, w.params, w.secondaryPath), recoveries: () => fw.status().recoveries };
}

export function measure(impl: Implementation, w: Workload, repetitions: number): Measurement {
  let best = Infinity;
  let recoveries = 0;
  let last: { out: Float64Array; error: Float32Array } | undefined;
  // one untimed run first: V8 compiles wasm and hot TypeScript in tiers
  for (let rep = 0; rep <= repetitions; rep++) {
    const { proc, recoveries: recovered } = start(impl, w);
    let seconds = 0;
    const timed: BlockProcessor = {
      process(ref, err) {
        const t0 = performance.now();
        const out = proc.process(ref, err);
        seconds += (performance.now() - t0) / 1000;
        return out;
      },
    };
    last = runClosedLoop(timed, w.plant, BLOCK);
    if (rep > 0) best = Math.min(best, seconds);
    recoveries += recovered();
  }
  const samples = w.plant.reference.length - (w.plant.reference.length % BLOCK);
  return { samplesPerSecond: samples / best, recoveries, ...last! };
}

// The benchmark's figures, as printed by `npm run bench` and `npm run bench -- --json`.
import type { AlgorithmName } from '../firmware/loader.ts';
import type { Footprint } from './footprint.ts';
import type { Implementation } from './measure.ts';
import type { CBuild } from './native-fxlms.ts';
import type { ClassifierCost } from './classifier-cost.ts';

export interface Speed {
  samplesPerSecond: number;
  /** samplesPerSecond / sample rate: how many channels in real time one core could run */
  realTimeFactor: number;
}

export interface Row {
  algorithm: AlgorithmName;
  taps: number;
  speed: Record<Implementation, Speed>;
  /** C builds of the same loop (FxLMS only, when gcc is present) */
  native?: Partial<Record<CBuild, Speed>>;
  /** relative RMS difference of each implementation's output from the scalar wasm's */
  differenceFromScalar: Partial<Record<Exclude<Implementation, 'scalar'> | CBuild, number>>;
  /** stability-guard recoveries during the scalar and SIMD runs */
  recoveries: number;
}

export interface BenchResults {
  sampleRate: number;
  blockFrames: number;
  secondaryPathTaps: number;
  samplesPerRun: number;
  repetitions: number;
  rows: Row[];
  notes: string[];
  footprint: Footprint;
  /** features + inference against the ANC (FxLMS, 256 taps) at 48 kHz */
  classifier: ClassifierCost[];
}

export function speed(samplesPerSecond: number, sampleRate: number): Speed {
  return { samplesPerSecond, realTimeFactor: samplesPerSecond / sampleRate };
}

export function relativeRmsDifference(a: ArrayLike<number>, reference: ArrayLike<number>): number {
  let d = 0;
  let r = 0;
  for (let i = 0; i < reference.length; i++) {
    d += (a[i]! - reference[i]!) ** 2;
    r += reference[i]! ** 2;
  }
  return Math.sqrt(d / r);
}

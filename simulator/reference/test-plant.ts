// A small deterministic plant for closed-loop comparisons and benchmarks: low tones plus seeded white
// noise at the reference mic, a primary path that is a pure delay plus a short echo, and a 16-tap
// secondary path with a little ringing. Low tones keep every algorithm converging, including
// feedback ANC behind a block delay and plain NLMS, which ignores that delay.
import { createRandom } from '../acoustics/random.ts';
import type { AlgorithmName } from '../../firmware/loader.ts';
import type { Plant } from './closed-loop.ts';
import type { EngineParams } from './engine.ts';

export interface TestPlantOptions {
  samples: number;
  sampleRate?: number;
  seed?: number;
  /** tone frequencies in Hz */
  tonesHz?: readonly number[];
  /** amplitude of each tone */
  toneAmplitude?: number;
  /** rms of the white noise added to the tones */
  noiseRms?: number;
  /** delay of the primary path in samples: beyond the secondary path's for causal broadband cancellation */
  primaryDelay?: number;
  /** false: a secondary path of one sample (plain LMS/NLMS, which ignore S^) */
  acousticPath?: boolean;
}

/** 16 taps: a one-sample acoustic delay, a main peak and a decaying ring. */
export const TEST_SECONDARY_PATH: readonly number[] = Array.from({ length: 16 }, (_, j) =>
  j === 0 ? 0 : 0.8 * Math.exp(-(j - 1) / 3) * Math.cos(0.9 * (j - 1)),
);

export function testPlant(o: TestPlantOptions): Plant {
  const fs = o.sampleRate ?? 48000;
  const tones = o.tonesHz ?? [120, 190];
  const amplitude = o.toneAmplitude ?? 0.2;
  const noiseRms = o.noiseRms ?? 0.01;
  const delay = o.primaryDelay ?? 48;
  const random = createRandom(o.seed ?? 1);
  const reference = new Float32Array(o.samples);
  for (let n = 0; n < o.samples; n++) {
    let v = noiseRms * random.gaussian();
    for (let t = 0; t < tones.length; t++) v += amplitude * Math.sin((2 * Math.PI * tones[t]! * n) / fs + t);
    reference[n] = v;
  }
  const disturbance = new Float64Array(o.samples);
  for (let n = delay; n < o.samples; n++) {
    disturbance[n] = 0.9 * reference[n - delay]! - (n >= delay + 3 ? 0.3 * reference[n - delay - 3]! : 0);
  }
  const secondary = Float64Array.from(o.acousticPath === false ? [1] : TEST_SECONDARY_PATH);
  return { reference, disturbance, secondary };
}

const ignoresSecondaryPath = (alg: AlgorithmName) => alg === 'lms' || alg === 'nlms' || alg === 'leaky-nlms';

/** Step sizes with which every algorithm converges on plantFor's plants, at any length up to 512, without the guard stepping in. */
export const CONVERGING_PARAMS: Readonly<Record<AlgorithmName, Partial<EngineParams>>> = {
  lms: { stepSize: 0.0005 },
  nlms: { stepSize: 0.01 },
  'leaky-nlms': { stepSize: 0.01 },
  fxlms: { stepSize: 0.02 },
  'fb-fxlms': { stepSize: 0.02 },
  hybrid: { stepSize: 0.02 },
  rls: { rlsLambda: 0.999 },
  'fd-fxlms': { stepSize: 0.02 },
};

/** A plant that `alg` converges on behind a playback delay of `block` frames (up to 64). */
export function plantFor(alg: AlgorithmName, samples: number, block: number): Plant {
  const plain = ignoresSecondaryPath(alg);
  return testPlant({
    samples,
    // beyond the seen secondary path's delay (block + 1): broadband cancellation is causal
    primaryDelay: block + 6,
    // plain LMS/NLMS adapt as if there were no delay: tones below 110 Hz keep the phase error
    // under 90 degrees up to 65 samples of delay
    acousticPath: !plain,
    ...(plain ? { tonesHz: [70, 110] } : {}),
    // RLS starts like NLMS with a step near 1 (P = 100 I is little regularisation at 0.2
    // amplitude) and overshoots behind the delay for longer than the firmware's guard allows
    ...(alg === 'rls' ? { toneAmplitude: 0.05, noiseRms: 0.0025 } : {}),
  });
}

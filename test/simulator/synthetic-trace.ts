// Synthetic signals and traces with known answers, for the metrics, optimum and report tests.
import type { AncStatus } from '../../firmware/loader.ts';
import type { RunTrace } from '../../simulator/trace.ts';

/** The status of a firmware that ran without incident (the report copies a few fields). */
export const QUIET_STATUS: AncStatus = {
  abiVersion: 0x10000,
  flags: 1,
  algorithm: 'fxlms',
  taps: 32,
  stepSize: 0.1,
  leakage: 0,
  intensity: 1,
  gain: 1,
  attenuationDb: 20,
  errorPower: 0,
  disturbancePower: 0,
  coefNorm: 1,
  recoveries: 0,
  sanitized: 0,
  limited: 0,
  samples: 0,
  secTaps: 128,
  sampleRate: 48000,
  noiseClass: -1,
  confidence: 0,
  modelVersion: 0,
  featureFrames: 0,
  emergencyState: 0,
  emergencyEvents: 0,
  modelError: 0,
};

/** Seeded uniform white noise in [-1, 1) (mulberry32), so every test run sees the same samples. */
export function whiteNoise(length: number, seed = 1): Float32Array {
  const out = new Float32Array(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

export function sine(length: number, hz: number, sampleRate: number, amplitude = 1, phase = 0): Float32Array {
  return Float32Array.from({ length }, (_, n) => amplitude * Math.sin((2 * Math.PI * hz * n) / sampleRate + phase));
}

/** A trace with the given signals; whatever is left out is silence or a plain default. */
export function syntheticTrace(fields: Partial<RunTrace> & { disturbance: Float32Array }): RunTrace {
  const length = fields.disturbance.length;
  return {
    sampleRate: 48000,
    residual: new Float32Array(length),
    reference: new Float32Array(length),
    errorMic: new Float32Array(length),
    antiNoise: new Float32Array(length),
    secondaryPath: Float32Array.of(0, 1),
    lastPathChange: 0,
    taps: 32,
    status: QUIET_STATUS,
    ...fields,
  };
}

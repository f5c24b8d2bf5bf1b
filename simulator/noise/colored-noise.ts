// Random noise with the spectral tilts environmental noise has: white, pink (-3 dB/octave),
// brown (-6 dB/octave) and band-limited white.
import { designBiquad, filterBiquads } from '../acoustics/biquad.ts';
import type { Random } from '../acoustics/random.ts';
import { withRms } from './level.ts';

export function whiteNoise(length: number, rms: number, random: Random): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random.gaussian();
  return withRms(out, rms);
}

// Paul Kellet's refined pink filter: within 0.05 dB of -3 dB/octave above 10 Hz at 44.1 kHz and up
export function pinkNoise(length: number, rms: number, random: Random): Float32Array {
  const w = whiteNoise(length, 1, random);
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  for (let i = 0; i < length; i++) {
    const x = w[i];
    b0 = 0.99886 * b0 + x * 0.0555179;
    b1 = 0.99332 * b1 + x * 0.0750759;
    b2 = 0.969 * b2 + x * 0.153852;
    b3 = 0.8665 * b3 + x * 0.3104856;
    b4 = 0.55 * b4 + x * 0.5329522;
    b5 = -0.7616 * b5 - x * 0.016898;
    w[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + x * 0.5362;
    b6 = x * 0.115926;
  }
  return withRms(w, rms);
}

// A leaky integrator: -6 dB/octave above its corner, flat below, so it never drifts off to DC
const BROWN_CORNER_HZ = 10;

export function brownNoise(length: number, rms: number, sampleRate: number, random: Random): Float32Array {
  const w = whiteNoise(length, 1, random);
  const keep = Math.exp((-2 * Math.PI * BROWN_CORNER_HZ) / sampleRate);
  let acc = 0;
  for (let i = 0; i < length; i++) {
    acc = keep * acc + w[i];
    w[i] = acc;
  }
  return withRms(w, rms);
}

/** White noise between lowHz and highHz, with 4th-order Butterworth edges. */
export function bandNoise(length: number, rms: number, lowHz: number, highHz: number, sampleRate: number, random: Random): Float32Array {
  const hp = designBiquad({ type: 'highpass', hz: lowHz }, sampleRate);
  const lp = designBiquad({ type: 'lowpass', hz: highHz }, sampleRate);
  return withRms(filterBiquads([hp, hp, lp, lp], whiteNoise(length, 1, random)), rms);
}

// Everyday noise environments, each a recipe of broadband and tonal parts at a total level. The
// recipes follow the published character of each place (where the energy sits, which tones stick
// out), not any one measurement.
import { designBiquad, filterBiquads } from '../acoustics/biquad.ts';
import type { Random } from '../acoustics/random.ts';
import { bandNoise, brownNoise, pinkNoise } from './colored-noise.ts';
import { mixInto, withRms } from './level.ts';
import { tones } from './tones.ts';

/**
 * Aircraft cabin: boundary-layer and engine broadband, brown below ~500 Hz where it dominates and
 * pink above, and the engines' fan/shaft tones (here 93 Hz and its harmonics). About 4/5 of the
 * power is broadband.
 */
export function cabinNoise(rms: number, length: number, sampleRate: number, random: Random): Float32Array {
  const shaped = withRms(mixInto(brownNoise(length, 0.8, sampleRate, random), pinkNoise(length, 0.3, random)), 0.9);
  const hum = tones([{ hz: 93, amplitude: 0.45 }, { hz: 186, amplitude: 0.2, phase: 1 }, { hz: 279, amplitude: 0.1, phase: 2 }], length, sampleRate);
  return withRms(mixInto(shaped, hum), rms);
}

/**
 * Air conditioning: low-frequency duct rumble (20-200 Hz) plus the fan's blade-pass tone and its
 * harmonics (7 blades at 1200 rpm: 140 Hz) and mains hum from the motor.
 */
export function hvacNoise(rms: number, length: number, sampleRate: number, random: Random): Float32Array {
  const rumble = bandNoise(length, 0.8, 20, 200, sampleRate, random);
  const bladePass = (7 * 1200) / 60;
  const tonal = tones(
    [{ hz: bladePass, amplitude: 0.5 }, { hz: 2 * bladePass, amplitude: 0.25, phase: 0.5 }, { hz: 3 * bladePass, amplitude: 0.1, phase: 2 }, { hz: 100, amplitude: 0.15 }],
    length,
    sampleRate,
  );
  return withRms(mixInto(rumble, tonal), rms);
}

/**
 * Road noise in a car: tyre/road broadband from 50 to 1000 Hz with a pink tilt, the tyre cavity
 * resonance near 220 Hz and a driveline tone at 40 Hz.
 */
export function roadNoise(rms: number, length: number, sampleRate: number, random: Random): Float32Array {
  const hp = designBiquad({ type: 'highpass', hz: 50 }, sampleRate);
  const lp = designBiquad({ type: 'lowpass', hz: 1000 }, sampleRate);
  const tyre = withRms(filterBiquads([hp, hp, lp, lp], pinkNoise(length, 1, random)), 0.85);
  const tonal = tones([{ hz: 40, amplitude: 0.4 }, { hz: 220, amplitude: 0.25, phase: 1 }], length, sampleRate);
  return withRms(mixInto(tyre, tonal), rms);
}

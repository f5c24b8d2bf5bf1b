// Wind: turbulence at each microphone's own port, so the two mics hear unrelated noise. Nothing at
// the reference predicts the error mic, which is why ANC cannot reduce wind noise and must not
// make it worse. Low-frequency heavy (most energy below ~200 Hz) and gusty.
import { designBiquad, filterBiquads } from '../acoustics/biquad.ts';
import type { Random } from '../acoustics/random.ts';
import { brownNoise } from './colored-noise.ts';
import { withRms } from './level.ts';

const GUST_HZ = 0.5; // gusts come and go over seconds

export function windAtMic(rms: number, length: number, sampleRate: number, random: Random): Float32Array {
  const rumble = filterBiquads([designBiquad({ type: 'lowpass', hz: 200 }, sampleRate)], brownNoise(length, 1, sampleRate, random));
  const gusts = filterBiquads([designBiquad({ type: 'lowpass', hz: GUST_HZ }, sampleRate)], brownNoise(length, 1, sampleRate, random));
  const g = withRms(gusts, 0.5);
  for (let i = 0; i < length; i++) rumble[i] *= Math.max(0.1, 1 + g[i]);
  return withRms(rumble, rms);
}

/** Independent wind at the reference and error mics (each with its own random stream). */
export function wind(rms: number, length: number, sampleRate: number, atReference: Random, atError: Random) {
  return { reference: windAtMic(rms, length, sampleRate, atReference), error: windAtMic(rms, length, sampleRate, atError) };
}

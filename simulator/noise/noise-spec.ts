// A scenario's noise as data, and the one function that turns it into the signals the world plays.
import { createRandom, type Random } from '../acoustics/random.ts';
import { readMonoAt } from '../wav.ts';
import { babble } from './babble.ts';
import { bandNoise, brownNoise, pinkNoise, whiteNoise } from './colored-noise.ts';
import { engineRunup, type EngineRunup } from './engine-runup.ts';
import { cabinNoise, hvacNoise, roadNoise } from './environments.ts';
import { type Tone, tones } from './tones.ts';
import { wind } from './wind.ts';

/** Levels are full-scale RMS (or amplitudes) at the reference mic. */
export type NoiseSpec =
  | { kind: 'tones'; tones: readonly Tone[] }
  | ({ kind: 'engine-runup' } & EngineRunup)
  | { kind: 'white' | 'pink' | 'brown'; rms: number }
  | { kind: 'band'; rms: number; lowHz: number; highHz: number }
  | { kind: 'babble'; rms: number; talkers: number }
  | { kind: 'wind'; rms: number }
  | { kind: 'cabin' | 'hvac' | 'road'; rms: number }
  /** A recording, first channel, resampled to the run's rate and looped. */
  | { kind: 'wav'; path: string; gain?: number }
  /** Samples already at the run's rate, looped. */
  | { kind: 'samples'; samples: Float32Array; gain?: number };

export interface NoiseSignals {
  /** Sound at the reference mic's position; it reaches the error mic through the primary path. */
  source: Float32Array;
  /** Sound arising separately at each mic (wind turbulence), incoherent between the two. */
  local?: { reference: Float32Array; error: Float32Array };
}

export function generateNoise(spec: NoiseSpec, length: number, sampleRate: number, seed: number): NoiseSignals {
  const random = createRandom(seed);
  const source = (x: Float32Array): NoiseSignals => ({ source: x });
  switch (spec.kind) {
    case 'tones':
      return source(tones(spec.tones, length, sampleRate));
    case 'engine-runup':
      return source(engineRunup(spec, length, sampleRate));
    case 'white':
      return source(whiteNoise(length, spec.rms, random));
    case 'pink':
      return source(pinkNoise(length, spec.rms, random));
    case 'brown':
      return source(brownNoise(length, spec.rms, sampleRate, random));
    case 'band':
      return source(bandNoise(length, spec.rms, spec.lowHz, spec.highHz, sampleRate, random));
    case 'babble':
      return source(babble(spec.talkers, spec.rms, length, sampleRate, random));
    case 'wind':
      return { source: new Float32Array(length), local: wind(spec.rms, length, sampleRate, random, streamAfter(random)) };
    case 'cabin':
      return source(cabinNoise(spec.rms, length, sampleRate, random));
    case 'hvac':
      return source(hvacNoise(spec.rms, length, sampleRate, random));
    case 'road':
      return source(roadNoise(spec.rms, length, sampleRate, random));
    case 'wav':
      return source(looped(readMonoAt(spec.path, sampleRate), length, spec.gain));
    case 'samples':
      return source(looped(spec.samples, length, spec.gain));
  }
}

/** `x` repeated to `length` samples, times `gain`; silence when `x` is empty. */
export function looped(x: Float32Array, length: number, gain = 1): Float32Array {
  const out = new Float32Array(length);
  if (x.length > 0) for (let i = 0; i < length; i++) out[i] = gain * x[i % x.length];
  return out;
}

// a second, independent stream seeded from the first
function streamAfter(random: Random): Random {
  return createRandom(Math.floor(random.uniform() * 2 ** 32));
}

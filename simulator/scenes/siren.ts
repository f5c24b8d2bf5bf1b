// Emergency-vehicle sirens, the four sweeps issue 3 names. Each seed draws its own siren within
// the ranges real ones use, so the classifier learns the pattern, not one recording:
// - wail: a slow rise and fall, typically about 600-1500 Hz over 3-6 s (US electronic sirens such
//   as the Federal Signal PA300 and mechanical Q-sirens, whose rotor spins up and coasts down,
//   hence the slower fall);
// - yelp: the same range swept fast, about 3-7 sweeps per second;
// - hi-lo: two electronic tones alternating every 0.25-0.6 s, about a major third apart
//   (e.g. the UK 770/960 Hz pair);
// - two-tone: the European pneumatic horn pattern, fundamentals 360-630 Hz a fourth apart, each
//   held 0.5-1.5 s (DIN 14610, the German "Martinshorn").
// Electronic sirens drive their horn speakers with near-square waves, so odd harmonics dominate;
// each seed draws how bright. A slow random drift of a percent or two (supply voltage, motor
// speed) and the Doppler shift and level of a passing vehicle (vehicle-pass.ts) complete it.
import type { Random } from '../acoustics/random.ts';
import { between, chance } from './draw.ts';
import type { EmergencySound } from './emergency-sound.ts';
import { harmonicTone } from './harmonic-tone.ts';
import { withRms } from '../noise/level.ts';
import { drawVehiclePass, vehiclePassCurves } from './vehicle-pass.ts';

export const SIREN_KINDS = ['wail', 'yelp', 'hi-lo', 'two-tone'] as const;
export type SirenKind = (typeof SIREN_KINDS)[number];

/** The source's fundamental over time, before Doppler: a function of seconds. */
export type Contour = (seconds: number) => number;

/** One rise-and-fall of a swept siren: rise over `rise` of the period, fall over the rest, both eased. */
export function sweepShape(phase: number, rise: number): number {
  const p = phase - Math.floor(phase);
  return p < rise ? 0.5 - 0.5 * Math.cos((Math.PI * p) / rise) : 0.5 + 0.5 * Math.cos((Math.PI * (p - rise)) / (1 - rise));
}

/** The contour of one siren kind with parameters drawn from `random`. */
export function sirenContour(kind: SirenKind, random: Random): Contour {
  const start = random.uniform(); // where in its cycle the siren is when the clip begins
  switch (kind) {
    case 'wail':
    case 'yelp': {
      const lo = between(random, 550, 800);
      const hi = between(random, 1250, 1700);
      const period = kind === 'wail' ? between(random, 3, 6) : 1 / between(random, 3, 7);
      const rise = kind === 'wail' ? between(random, 0.45, 0.65) : between(random, 0.5, 0.85);
      return (t) => lo + (hi - lo) * sweepShape(start + t / period, rise);
    }
    case 'hi-lo':
    case 'two-tone': {
      const lo = kind === 'hi-lo' ? between(random, 550, 900) : between(random, 360, 470);
      const ratio = kind === 'hi-lo' ? between(random, 1.2, 1.35) : (4 / 3) * between(random, 0.985, 1.015);
      const hold = kind === 'hi-lo' ? between(random, 0.25, 0.6) : between(random, 0.5, 1.5);
      return (t) => (Math.floor(start * 2 + t / hold) % 2 === 0 ? lo * ratio : lo);
    }
  }
}

/** Harmonic amplitudes: odd ones from the square-ish drive, even ones weaker, rolling off by seed. */
export function sirenHarmonics(random: Random): number[] {
  const rolloff = between(random, 1, 2);
  const even = between(random, 0.05, 0.4);
  return Array.from({ length: 7 }, (_, k) => ((k + 1) % 2 === 1 ? 1 : even) / (k + 1) ** rolloff);
}

export function siren(kind: SirenKind, random: Random, length: number, sampleRate: number): EmergencySound {
  const contour = sirenContour(kind, random);
  const harmonics = sirenHarmonics(random);
  const pass = drawVehiclePass(random, length / sampleRate);
  const { gain, doppler } = vehiclePassCurves(pass, length, sampleRate);
  // a slow wander of up to +-1.5 % (supply sag, rotor load) on top of the Doppler shift
  const drift = chance(random, 0.5) ? between(random, 0.003, 0.015) : 0;
  const driftHz = between(random, 0.05, 0.3);
  const driftPhase = between(random, 0, 2 * Math.PI);
  const hz = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const t = i / sampleRate;
    hz[i] = contour(t) * doppler[i] * (1 + drift * Math.sin(2 * Math.PI * driftHz * t + driftPhase));
  }
  const samples = harmonicTone(hz, harmonics, sampleRate, between(random, 0, 2 * Math.PI));
  for (let i = 0; i < length; i++) samples[i] *= gain[i];
  return { samples: withRms(samples, 0.1), variant: kind, active: [{ start: 0, end: length }] };
}

// A fire-alarm bell: a hammer striking a metal gong. A struck plate or dome rings in inharmonic
// partials (here the free circular plate's mode ratios 1 : 1.73 : 2.33 : 3.91 : 4.11 : 6.30, from
// Rossing, "Science of Percussion Instruments", each detuned a few percent by seed, since every
// gong differs), each decaying exponentially, the higher ones faster. Two ways of ringing:
// - vibrating (the usual fire and school bell): the armature strikes 12-25 times a second, so the
//   partials never die away and the sound is a continuous rattling ring;
// - single-stroke: one strike every 0.4-1.5 s, each a decaying "ding".
// Each partial is a struck mode (struck-modes.ts), so a new strike adds to the ringing of the old.
import type { Random } from '../acoustics/random.ts';
import { withRms } from '../noise/level.ts';
import { between, chance } from './draw.ts';
import type { EmergencySound } from './emergency-sound.ts';
import { ringModes, type Mode } from './struck-modes.ts';

export const PLATE_MODE_RATIOS = [1, 1.73, 2.33, 3.91, 4.11, 6.3] as const;

export function drawBellPartials(random: Random): Mode[] {
  const fundamental = between(random, 600, 1500);
  const t60 = between(random, 0.6, 2);
  return PLATE_MODE_RATIOS.map((ratio, k) => {
    const r = k === 0 ? 1 : ratio * between(random, 0.96, 1.04);
    return { hz: fundamental * r, amplitude: between(random, 0.3, 1) / Math.sqrt(r), t60Seconds: t60 / r ** 0.8 };
  });
}

/** Strike times in samples: every `periodSeconds` with +-5 % jitter, from sample 0. */
export function strikeTimes(random: Random, periodSeconds: number, length: number, sampleRate: number): number[] {
  const times: number[] = [];
  for (let t = 0; t * sampleRate < length; t += periodSeconds * between(random, 0.95, 1.05)) times.push(Math.round(t * sampleRate));
  return times;
}

export function fireBell(random: Random, length: number, sampleRate: number): EmergencySound {
  const partials = drawBellPartials(random);
  const vibrating = chance(random, 0.7);
  const period = vibrating ? 1 / between(random, 12, 25) : between(random, 0.4, 1.5);
  const strikes = strikeTimes(random, period, length, sampleRate);
  const strength = strikes.map(() => between(random, 0.8, 1.2));
  const samples = ringModes(partials, strikes, strength, length, sampleRate);
  return { samples: withRms(samples, 0.1), variant: vibrating ? 'bell-vibrating' : 'bell-single-stroke', active: [{ start: 0, end: length }] };
}

// "Quiet": the room tone of a bedroom, library or quiet office at night. Faint broadband hiss
// whose top end the seed rolls off (soft furnishings absorb highs), often a little mains hum from
// appliances (50 or 60 Hz and its harmonics), sometimes a refrigerator compressor's low drone.
// Its level (set in background.ts) is what mainly sets it apart, 20 dB and more below the others.
import { designBiquad, filterBiquads } from '../acoustics/biquad.ts';
import type { Random } from '../acoustics/random.ts';
import { pinkNoise } from '../noise/colored-noise.ts';
import { mixInto } from '../noise/level.ts';
import { tones } from '../noise/tones.ts';
import { amplitudeDb, between, chance, pick } from './draw.ts';

export function roomTone(random: Random, length: number, sampleRate: number): Float32Array {
  const corner = Math.min(between(random, 1500, 8000), 0.4 * sampleRate);
  const hiss = filterBiquads([designBiquad({ type: 'lowpass', hz: corner }, sampleRate)], pinkNoise(length, 1, random));
  if (chance(random, 0.6)) {
    const mains = pick(random, [50, 60]);
    const a = amplitudeDb(random, -24, -8);
    mixInto(hiss, tones([{ hz: mains, amplitude: a }, { hz: 2 * mains, amplitude: a * 0.7, phase: 1 }, { hz: 3 * mains, amplitude: a * 0.3, phase: 2 }], length, sampleRate));
  }
  if (chance(random, 0.3)) {
    const drone = between(random, 90, 200);
    const a = amplitudeDb(random, -20, -10);
    mixInto(hiss, tones([{ hz: drone, amplitude: a }, { hz: 2 * drone, amplitude: a / 2 }], length, sampleRate));
  }
  return hiss;
}

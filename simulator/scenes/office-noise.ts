// An office: ventilation, the recipe of simulator/noise/environments.ts's HVAC (duct rumble below
// ~200 Hz, the fan's blade-pass tone and harmonics, mains hum from the motor) with the fan drawn
// per seed (5-12 blades at 600-1500 rpm), over a soft broadband floor; often distant talkers and
// keyboard typing (bursts of clicks, each a few kHz ringing for milliseconds).
import type { Random } from '../acoustics/random.ts';
import { babble } from '../noise/babble.ts';
import { bandNoise, pinkNoise } from '../noise/colored-noise.ts';
import { mixInto, withRms } from '../noise/level.ts';
import { tones } from '../noise/tones.ts';
import { amplitudeDb, between, chance, pick } from './draw.ts';
import { ringModes } from './struck-modes.ts';

function typing(random: Random, length: number, sampleRate: number): Float32Array {
  const at: number[] = [];
  const strength: number[] = [];
  const rate = between(random, 4, 9); // keystrokes per second while typing
  let typingNow = chance(random, 0.5);
  for (let t = 0; t * sampleRate < length; ) {
    if (typingNow) {
      at.push(Math.round(t * sampleRate));
      strength.push(between(random, 0.5, 1));
      t += (-Math.log(1 - random.uniform()) / rate) * 0.7 + 0.3 / rate;
    } else t += between(random, 0.5, 3);
    if (chance(random, typingNow ? 0.05 : 0.5)) typingNow = !typingNow;
  }
  const modes = [
    { hz: between(random, 1500, 3000), amplitude: 1, t60Seconds: between(random, 0.01, 0.03) },
    { hz: between(random, 3000, 6000), amplitude: 0.5, t60Seconds: between(random, 0.005, 0.015) },
  ];
  return ringModes(modes, at, strength, length, sampleRate);
}

export function officeNoise(random: Random, length: number, sampleRate: number): Float32Array {
  const out = bandNoise(length, 0.8, 20, between(random, 120, 300), sampleRate, random);
  const bladePass = (Math.round(between(random, 5, 12.99)) * between(random, 600, 1500)) / 60;
  const mains = pick(random, [50, 60]);
  const t = amplitudeDb(random, -12, 0);
  mixInto(out, tones([{ hz: bladePass, amplitude: 0.5 * t }, { hz: 2 * bladePass, amplitude: 0.25 * t, phase: 0.5 }, { hz: 3 * bladePass, amplitude: 0.1 * t, phase: 2 }, { hz: 2 * mains, amplitude: 0.15 * t }], length, sampleRate));
  mixInto(out, pinkNoise(length, amplitudeDb(random, -20, -8), random));
  if (chance(random, 0.6)) mixInto(out, babble(2 + Math.floor(random.uniform() * 5), amplitudeDb(random, -20, -8), length, sampleRate, random));
  if (chance(random, 0.5)) mixInto(out, withRms(typing(random, length, sampleRate), amplitudeDb(random, -24, -12)));
  return out;
}

// Inside a train or metro car.
// - Rumble: structure-borne noise from the bogies, brown and below a few hundred Hz.
// - Rolling noise: wheel and rail roughness, broadband around 200 Hz - 1.5 kHz.
// - Rail joints: on jointed track each wheel thumps over every joint, so the "clickety-clack"
//   repeats every rail length / speed (rails 18-25 m long in Europe, 39 ft = 11.9 m in the US), in
//   groups of four: the two axles of each bogie (2.2-2.8 m apart), then the other bogie of the car
//   (14-19 m further on). Each thump is a struck low mode (wheelset and floor) plus a short metallic clank.
// - Wheel-rail squeal on curves: a narrow, wavering tone of 1.5-5 kHz that swells and fades
//   (in some clips only; it is tonal and high, so the classifier must not take it for an alarm).
// - Traction whine of a metro's inverter-fed motors: a tone that glides with speed (some clips).
import { designBiquad, filterBiquads } from '../acoustics/biquad.ts';
import type { Random } from '../acoustics/random.ts';
import { bandNoise, brownNoise } from '../noise/colored-noise.ts';
import { mixInto, withRms } from '../noise/level.ts';
import { amplitudeDb, between, chance, pick } from './draw.ts';
import { harmonicTone } from './harmonic-tone.ts';
import { ringModes } from './struck-modes.ts';

/** Sample times of wheel impacts on rail joints, and their strengths. */
export function jointImpacts(random: Random, speedMps: number, length: number, sampleRate: number): { at: number[]; strength: number[] } {
  const rail = pick(random, [11.9, 18, 25]);
  const axle = between(random, 2.2, 2.8);
  const bogie = between(random, 14, 19);
  const offsets = [0, axle, bogie, bogie + axle].map((m) => m / speedMps);
  const period = rail / speedMps;
  const at: number[] = [];
  const strength: number[] = [];
  for (let t = -random.uniform() * period - offsets[3]; t * sampleRate < length; t += period) {
    for (const o of offsets) {
      const i = Math.round((t + o) * sampleRate);
      if (i >= 0 && i < length) {
        at.push(i);
        strength.push(between(random, 0.6, 1.2));
      }
    }
  }
  return { at, strength };
}

function squeal(random: Random, length: number, sampleRate: number): Float32Array {
  const f0 = between(random, 1500, 5000);
  const wobbleHz = between(random, 2, 8);
  const depth = between(random, 0.002, 0.01);
  const hz = new Float64Array(length);
  for (let i = 0; i < length; i++) hz[i] = Math.min(f0, 0.4 * sampleRate) * (1 + depth * Math.sin((2 * Math.PI * wobbleHz * i) / sampleRate));
  const tone = harmonicTone(hz, [1, between(random, 0, 0.2)], sampleRate);
  // swells over a second or two, at a random point in the clip
  const centre = random.uniform() * length;
  const width = between(random, 0.5, 2) * sampleRate;
  for (let i = 0; i < length; i++) tone[i] *= Math.exp(-(((i - centre) / width) ** 2));
  return tone;
}

function tractionWhine(random: Random, length: number, sampleRate: number): Float32Array {
  const from = between(random, 300, 1500);
  const glide = between(random, -0.15, 0.25) / (length / sampleRate); // fraction per second (accelerating or braking)
  const hz = new Float64Array(length);
  for (let i = 0; i < length; i++) hz[i] = from * (1 + (glide * i) / sampleRate);
  return harmonicTone(hz, [1, 0.3, 0.1], sampleRate);
}

export function trainNoise(random: Random, length: number, sampleRate: number): Float32Array {
  const speed = between(random, 8, 30);
  const rumble = withRms(filterBiquads([designBiquad({ type: 'lowpass', hz: between(random, 150, 400) }, sampleRate)], brownNoise(length, 1, sampleRate, random)), 1);
  mixInto(rumble, bandNoise(length, amplitudeDb(random, -12, -3), between(random, 150, 300), Math.min(between(random, 1000, 2000), 0.4 * sampleRate), sampleRate, random));
  const { at, strength } = jointImpacts(random, speed, length, sampleRate);
  const thump = [
    { hz: between(random, 50, 120), amplitude: 1, t60Seconds: between(random, 0.08, 0.2) },
    { hz: between(random, 300, 900), amplitude: between(random, 0.2, 0.6), t60Seconds: between(random, 0.02, 0.06) },
    { hz: between(random, 1200, 2500), amplitude: between(random, 0.05, 0.25), t60Seconds: between(random, 0.01, 0.03) },
  ];
  mixInto(rumble, withRms(ringModes(thump, at, strength, length, sampleRate), amplitudeDb(random, -10, 0)));
  if (chance(random, 0.35)) mixInto(rumble, withRms(squeal(random, length, sampleRate), amplitudeDb(random, -22, -10)));
  if (chance(random, 0.4)) mixInto(rumble, withRms(tractionWhine(random, length, sampleRate), amplitudeDb(random, -25, -12)));
  return rumble;
}

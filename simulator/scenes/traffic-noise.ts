// Traffic, heard from the kerb or from inside a car in it.
// - Street: a distant roar (pink, heavy below 1 kHz) and vehicles passing one by one, arriving at
//   random (a Poisson stream, 0.2-1.5 a second); each is tyre/road noise (broadband around
//   0.5-2 kHz) and engine firing harmonics, shaped by its own pass-by level and Doppler shift
//   (vehicle-pass.ts), one in five a heavy vehicle with a slower, louder engine.
// - In the car: the road-noise recipe of simulator/noise/environments.ts (tyre broadband 50 Hz -
//   1 kHz, tyre cavity resonance, driveline tone) with the tones drawn per seed, plus passing
//   traffic outside, muffled by the body.
import { designBiquad, filterBiquads } from '../acoustics/biquad.ts';
import type { Random } from '../acoustics/random.ts';
import { bandNoise, pinkNoise } from '../noise/colored-noise.ts';
import { firingHz } from '../noise/engine-runup.ts';
import { mixInto, withRms } from '../noise/level.ts';
import { tones } from '../noise/tones.ts';
import { amplitudeDb, between, chance } from './draw.ts';
import { harmonicTone } from './harmonic-tone.ts';
import { vehiclePassCurves } from './vehicle-pass.ts';

/** One vehicle passing, drawn and rendered into `out` (whatever part of the pass falls inside it). */
function addPassBy(out: Float32Array, random: Random, closestAtSeconds: number, sampleRate: number): void {
  const heavy = chance(random, 0.2);
  const closest = between(random, 3, 15);
  const speed = between(random, 8, 20);
  const reach = (10 * closest) / speed; // seconds either side of the closest approach within 20 dB
  const from = Math.max(0, Math.floor((closestAtSeconds - reach) * sampleRate));
  const to = Math.min(out.length, Math.ceil((closestAtSeconds + reach) * sampleRate));
  if (to <= from) return;
  const n = to - from;
  const { gain, doppler } = vehiclePassCurves({ closestMeters: closest, speedMps: speed, closestAtSeconds: closestAtSeconds - from / sampleRate }, n, sampleRate);
  const tyre = bandNoise(n, 1, between(random, 200, 500), Math.min(between(random, 1500, 4000), 0.4 * sampleRate), sampleRate, random);
  const firing = firingHz(heavy ? between(random, 700, 1500) : between(random, 1200, 3500), heavy ? 6 : 4);
  const hz = new Float64Array(n);
  for (let i = 0; i < n; i++) hz[i] = firing * doppler[i];
  const engineLevel = amplitudeDb(random, heavy ? 0 : -12, heavy ? 8 : 0);
  const engine = harmonicTone(hz, [1, 0.6, 0.4, 0.25, 0.15].map((a) => a * engineLevel), sampleRate, between(random, 0, 6));
  const loud = amplitudeDb(random, heavy ? 0 : -6, heavy ? 6 : 0);
  for (let i = 0; i < n; i++) out[from + i] += loud * gain[i] * (tyre[i] + engine[i]);
}

function passingTraffic(random: Random, length: number, sampleRate: number): Float32Array {
  const out = new Float32Array(length);
  const rate = between(random, 0.2, 1.5);
  const seconds = length / sampleRate;
  // passes whose closest approach lies up to 3 s outside the clip still reach into it
  for (let t = -3 - Math.log(1 - random.uniform()) / rate; t < seconds + 3; t += -Math.log(1 - random.uniform()) / rate) addPassBy(out, random, t, sampleRate);
  return out;
}

function streetTraffic(random: Random, length: number, sampleRate: number): Float32Array {
  const roar = filterBiquads([designBiquad({ type: 'lowpass', hz: between(random, 500, 1200), q: 0.5 }, sampleRate)], pinkNoise(length, 1, random));
  return mixInto(withRms(passingTraffic(random, length, sampleRate), 1), withRms(roar, amplitudeDb(random, -10, 3)));
}

function inCarTraffic(random: Random, length: number, sampleRate: number): Float32Array {
  const hp = designBiquad({ type: 'highpass', hz: between(random, 35, 70) }, sampleRate);
  const lp = designBiquad({ type: 'lowpass', hz: between(random, 700, 1400) }, sampleRate);
  const tyre = withRms(filterBiquads([hp, hp, lp, lp], pinkNoise(length, 1, random)), 0.85);
  const cavity = between(random, 190, 250);
  const driveline = between(random, 25, 60);
  mixInto(tyre, tones([{ hz: driveline, amplitude: between(random, 0.2, 0.5) }, { hz: cavity, amplitude: between(random, 0.1, 0.3), phase: 1 }], length, sampleRate));
  const outside = filterBiquads([designBiquad({ type: 'lowpass', hz: 600 }, sampleRate)], passingTraffic(random, length, sampleRate));
  return mixInto(tyre, withRms(outside, amplitudeDb(random, -15, -5)));
}

export function trafficNoise(random: Random, length: number, sampleRate: number): Float32Array {
  return chance(random, 0.6) ? streetTraffic(random, length, sampleRate) : inCarTraffic(random, length, sampleRate);
}

// The non-emergency classes as rendered audio: one recipe per environment, each drawing its own
// levels, tones and spectra per seed, then a random spectral tilt and a random overall level, so
// that no single number (level, centroid, one tone) tells the classes apart.
// The recipes reuse simulator/noise/ (colored noise, babble, wind, engine run-up) and add what a
// classifier needs that the ANC scenarios did not (pass-bys, rail joints, typing, room tone).
import { designBiquad, filterBiquads } from '../acoustics/biquad.ts';
import type { Random } from '../acoustics/random.ts';
import { babble } from '../noise/babble.ts';
import { bandNoise, brownNoise, pinkNoise } from '../noise/colored-noise.ts';
import { engineRunup } from '../noise/engine-runup.ts';
import { mixInto, withRms } from '../noise/level.ts';
import { tones } from '../noise/tones.ts';
import { windAtMic } from '../noise/wind.ts';
import { amplitudeDb, between, chance, pick } from './draw.ts';
import { officeNoise } from './office-noise.ts';
import { roomTone } from './room-tone.ts';
import type { EnvironmentClass } from './scene-class.ts';
import { trafficNoise } from './traffic-noise.ts';
import { trainNoise } from './train-noise.ts';

/**
 * Aircraft cabin (the cabinNoise recipe with its parts drawn per seed): boundary-layer and engine
 * broadband, brown below ~500 Hz and pink above, the fan/shaft tone of the engines (70-130 Hz) and
 * its harmonics, or on a turboprop the stronger propeller blade-pass tones, and the hiss of the
 * air outlets.
 */
function aircraftNoise(random: Random, length: number, sampleRate: number): Float32Array {
  const out = mixInto(brownNoise(length, amplitudeDb(random, -4, 0), sampleRate, random), pinkNoise(length, amplitudeDb(random, -14, -6), random));
  const propeller = chance(random, 0.25);
  const f = propeller ? between(random, 60, 110) : between(random, 70, 130);
  const a = propeller ? amplitudeDb(random, -6, 0) : amplitudeDb(random, -16, -6);
  mixInto(out, tones([1, 2, 3, 4].map((k) => ({ hz: k * f, amplitude: a / k ** (propeller ? 0.5 : 1.2), phase: k })), length, sampleRate));
  mixInto(out, bandNoise(length, amplitudeDb(random, -28, -16), 1000, Math.min(6000, 0.4 * sampleRate), sampleRate, random));
  return out;
}

/**
 * Engines and machinery: a combustion engine at steady speed or changing speed (engineRunup with
 * drawn RPM, cylinder count and harmonic mix), over mechanical broadband; sometimes a gear-mesh
 * whine (teeth times shaft rate, 300-2000 Hz) as in a gearbox, pump or compressor.
 */
function machineryNoise(random: Random, length: number, sampleRate: number): Float32Array {
  const rpmFrom = between(random, 600, 3000);
  const harmonics = Array.from({ length: 4 + Math.floor(random.uniform() * 7) }, (_, k) => between(random, 0.3, 1) / (k + 1) ** between(random, 0.5, 1.2));
  const engine = engineRunup(
    { rpmFrom, rpmTo: rpmFrom * between(random, 0.8, 1.6), rampSeconds: between(random, 0.5, 2) * (length / sampleRate), cylinders: pick(random, [2, 4, 6, 8]), harmonics },
    length,
    sampleRate,
  );
  const out = mixInto(withRms(engine, 1), bandNoise(length, amplitudeDb(random, -12, 0), between(random, 40, 150), Math.min(between(random, 2000, 6000), 0.4 * sampleRate), sampleRate, random));
  if (chance(random, 0.4)) {
    const mesh = between(random, 300, 2000);
    const a = amplitudeDb(random, -20, -8);
    mixInto(out, tones([{ hz: mesh, amplitude: a }, { hz: 2 * mesh, amplitude: a / 3 }], length, sampleRate));
  }
  return out;
}

/** Multi-talker babble (4-12 voices: a café, a canteen) in a room with some reverberant floor. */
function babbleNoise(random: Random, length: number, sampleRate: number): Float32Array {
  const talkers = 3 + Math.floor(random.uniform() * 10);
  return mixInto(babble(talkers, 1, length, sampleRate, random), pinkNoise(length, amplitudeDb(random, -30, -15), random));
}

/** Wind at the mic (gusty, low-frequency heavy), sometimes over faint outdoor ambience. */
function windNoise(random: Random, length: number, sampleRate: number): Float32Array {
  const out = windAtMic(1, length, sampleRate, random);
  return chance(random, 0.5) ? mixInto(out, pinkNoise(length, amplitudeDb(random, -30, -15), random)) : out;
}

const RECIPES: Record<EnvironmentClass, (random: Random, length: number, sampleRate: number) => Float32Array> = {
  quiet: roomTone,
  traffic: trafficNoise,
  aircraft: aircraftNoise,
  train: trainNoise,
  machinery: machineryNoise,
  office: officeNoise,
  babble: babbleNoise,
  wind: windNoise,
};

/** Full-scale RMS ranges in dBFS: quiet rooms sit well below the rest; the others overlap widely. */
export const LEVEL_DBFS: Record<'quiet' | 'loud', readonly [number, number]> = { quiet: [-66, -46], loud: [-42, -16] };

export interface Background {
  samples: Float32Array;
  /** The RMS level drawn, dBFS. */
  levelDbfs: number;
}

/**
 * One clip of `environment`: the recipe, tilted by a shelf of -6..+6 dB above 0.5-2 kHz (the
 * microphone, the room, the distance), at a level drawn from LEVEL_DBFS.
 */
export function background(environment: EnvironmentClass, random: Random, length: number, sampleRate: number): Background {
  const raw = RECIPES[environment](random, length, sampleRate);
  const shelf = designBiquad({ type: 'highshelf', hz: between(random, 500, 2000), gainDb: between(random, -6, 6) }, sampleRate);
  const [lo, hi] = LEVEL_DBFS[environment === 'quiet' ? 'quiet' : 'loud'];
  const levelDbfs = between(random, lo, hi);
  return { samples: withRms(filterBiquads([shelf], raw), 10 ** (levelDbfs / 20)), levelDbfs };
}

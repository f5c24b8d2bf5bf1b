// One labelled clip of one class, from one seed: the unit the dataset is made of.
// An environment clip is that background alone. An emergency clip is the sound over a background
// of a random environment, starting in the first quarter of the clip (at most 0.5 s in) so most of
// the clip carries the class it is labelled with, at an SNR drawn uniformly from the range. The
// mixture is then brought to a level drawn from the same range as the environments', so loudness
// alone never gives an emergency away.
import { createRandom } from '../acoustics/random.ts';
import { background, LEVEL_DBFS } from './background.ts';
import { rmsOf } from '../noise/level.ts';
import { between, fork, pick } from './draw.ts';
import { emergencySound } from './emergency-sound.ts';
import { ENVIRONMENT_CLASSES, isEmergency, type SceneClass } from './scene-class.ts';
import { limitPeak, mixAtSnr, type SceneLabel } from './scene-mix.ts';

export interface ClipOptions {
  sceneClass: SceneClass;
  seed: number;
  seconds: number;
  /** [lowest, highest] SNR in dB for emergency clips. */
  snrDbRange: readonly [number, number];
  sampleRate: number;
}

export interface Clip {
  samples: Float32Array;
  label: SceneLabel;
}

export function renderClip(o: ClipOptions): Clip {
  const random = createRandom(o.seed);
  const length = Math.round(o.seconds * o.sampleRate);
  // each part draws from its own stream, so a change to one recipe leaves the others' draws alone
  const backgroundRandom = fork(random);
  const soundRandom = fork(random);
  if (!isEmergency(o.sceneClass)) {
    const { samples } = background(o.sceneClass, backgroundRandom, length, o.sampleRate);
    limitPeak([samples], samples);
    return { samples, label: { class: o.sceneClass, emergency: false } };
  }
  const environment = pick(random, ENVIRONMENT_CLASSES);
  const onset = Math.round(between(random, 0, Math.min(0.25 * o.seconds, 0.5)) * o.sampleRate);
  const snrDb = between(random, o.snrDbRange[0], o.snrDbRange[1]);
  const bg = background(environment, backgroundRandom, length, o.sampleRate);
  const sound = emergencySound(o.sceneClass, soundRandom, (length - onset) / o.sampleRate, o.sampleRate);
  const mix = mixAtSnr(bg.samples, sound, onset, snrDb);
  const level = 10 ** (between(random, LEVEL_DBFS.loud[0], LEVEL_DBFS.loud[1]) / 20);
  const g = level / rmsOf(mix.mixture);
  for (const x of [mix.mixture, mix.signal, mix.background]) for (let i = 0; i < length; i++) x[i] *= g;
  limitPeak([mix.mixture, mix.signal, mix.background], mix.mixture);
  return {
    samples: mix.mixture,
    label: {
      class: o.sceneClass,
      emergency: true,
      onsetSeconds: mix.active[0].start / o.sampleRate,
      offsetSeconds: mix.active[mix.active.length - 1].end / o.sampleRate,
      activeSeconds: mix.active.map((w): [number, number] => [w.start / o.sampleRate, w.end / o.sampleRate]),
      variant: sound.variant,
      background: environment,
      snrDb,
    },
  };
}

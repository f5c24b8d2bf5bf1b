// The classifier's dataset: clipsPerClass clips of every class, each from its own seed, split into
// train / validation / held-out. A clip's seed depends only on (dataset seed, class, clip number),
// so asking for more clips or fewer classes never changes the clips already there; the split is a
// seeded shuffle within each class, so every split keeps the classes balanced.
import { fork, seedFor } from './draw.ts';
import { createRandom } from '../acoustics/random.ts';
import { SCENE_CLASSES, type SceneClass } from './scene-class.ts';
import { renderClip } from './scene-clip.ts';
import type { SceneLabel } from './scene-mix.ts';

export const SPLITS = ['train', 'validation', 'held-out'] as const;
export type Split = (typeof SPLITS)[number];

/** Fractions of each class for train and validation; held-out gets the rest. */
export const SPLIT_FRACTIONS = { train: 0.7, validation: 0.15 } as const;

export interface DatasetOptions {
  seed: number;
  clipsPerClass: number;
  clipSeconds: number;
  /** [lowest, highest] SNR in dB of the emergency clips. */
  snrDbRange: readonly [number, number];
  sampleRate: number;
  /** Default: every class in SCENE_CLASSES. */
  classes?: readonly SceneClass[];
}

export interface LabelledClip {
  samples: Float32Array;
  label: SceneLabel;
  split: Split;
  /** Clip number within its class, 0 .. clipsPerClass - 1. */
  index: number;
  /** The seed the clip was rendered from (renderClip replays it). */
  seed: number;
}

/** The split of every clip number of one class: a seeded shuffle cut at the split fractions. */
export function classSplits(seed: number, sceneClass: SceneClass, clipsPerClass: number): Split[] {
  const order = Array.from({ length: clipsPerClass }, (_, i) => i);
  const random = fork(createRandom(seedFor(seed, SCENE_CLASSES.indexOf(sceneClass), 0x5b117)));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const train = Math.round(clipsPerClass * SPLIT_FRACTIONS.train);
  const validation = Math.round(clipsPerClass * SPLIT_FRACTIONS.validation);
  const splits = new Array<Split>(clipsPerClass);
  order.forEach((clip, rank) => (splits[clip] = rank < train ? 'train' : rank < train + validation ? 'validation' : 'held-out'));
  return splits;
}

/** The clips one at a time (clip 0 of every class, then clip 1, ...), so a consumer holds one clip, not the set. */
export function* datasetClips(o: DatasetOptions): Generator<LabelledClip> {
  if (!(Number.isInteger(o.clipsPerClass) && o.clipsPerClass > 0)) throw new RangeError(`clipsPerClass must be a positive integer, not ${o.clipsPerClass}`);
  if (!(o.clipSeconds > 0)) throw new RangeError(`clipSeconds must be positive, not ${o.clipSeconds}`);
  if (!(o.snrDbRange[0] <= o.snrDbRange[1])) throw new RangeError(`snrDbRange [${o.snrDbRange.join(', ')}] must be [low, high]`);
  const classes = o.classes ?? SCENE_CLASSES;
  const splits = new Map(classes.map((c) => [c, classSplits(o.seed, c, o.clipsPerClass)]));
  for (let index = 0; index < o.clipsPerClass; index++) {
    for (const sceneClass of classes) {
      const seed = seedFor(o.seed, SCENE_CLASSES.indexOf(sceneClass), index);
      const clip = renderClip({ sceneClass, seed, seconds: o.clipSeconds, snrDbRange: o.snrDbRange, sampleRate: o.sampleRate });
      yield { ...clip, split: splits.get(sceneClass)![index], index, seed };
    }
  }
}

/** Every clip at once (clipsPerClass x classes x clipSeconds of audio in memory). */
export function generateDataset(o: DatasetOptions): LabelledClip[] {
  return [...datasetClips(o)];
}

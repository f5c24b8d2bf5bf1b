// The training set on disk: either the scene generator's layout (`labels.json` beside
// <class>/<n>.wav, which names every clip's split and which classes are emergencies) or any folder
// with one sub-folder of WAV files per class, split here by a seeded shuffle per class
// (70 / 15 / 15 %, as the scene generator splits). A folder `train/` + `validation/` + `held-out/`
// (the generator's --split-folders) is read as those splits.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '../../simulator/acoustics/random.ts';
import { TrainingError } from './training-error.ts';

export const SPLITS = ['train', 'validation', 'held-out'] as const;
export type Split = (typeof SPLITS)[number];

/** Class names whose folders are emergency classes when the dataset does not say (no labels.json). */
export const EMERGENCY_LABELS: readonly string[] = ['siren', 'alarm', 'horn'];

/** The model format's label rule (docs/model-format.md, "Class record"). */
const LABEL = /^[a-z][a-z0-9_-]{0,31}$/;

export interface DatasetClass {
  label: string;
  emergency: boolean;
}

export interface DatasetClip {
  path: string;
  /** Index into `classes`. */
  classIndex: number;
  split: Split;
  /**
   * Where an emergency clip's sound is (labels.json only): the stretches it sounds, seconds from the
   * start, and the class of the background under it when that is one of the dataset's classes.
   */
  sound?: { active: [number, number][]; backgroundIndex?: number };
}

export interface Dataset {
  dir: string;
  source: 'labels.json' | 'folders' | 'split-folders';
  classes: DatasetClass[];
  clips: DatasetClip[];
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const wavsIn = (dir: string) => readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.wav')).sort();

function checkLabel(label: string): void {
  if (!LABEL.test(label)) {
    throw new TrainingError('bad-label', `class folder "${label}" is not a valid label: lower-case letter first, then a-z, 0-9, _ or -, at most 32 characters`);
  }
}

/** Splits n clips of one class by a seeded shuffle: 70 % train, 15 % validation, the rest held out. */
export function shuffleSplits(n: number, seed: number): Split[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const random = createRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  // at least one clip in every split (n >= 3 is checked before)
  const train = Math.max(1, Math.min(n - 2, Math.round(n * 0.7)));
  const validation = Math.max(1, Math.min(n - train - 1, Math.round(n * 0.15)));
  const splits = new Array<Split>(n);
  order.forEach((clip, rank) => (splits[clip] = rank < train ? 'train' : rank < train + validation ? 'validation' : 'held-out'));
  return splits;
}

interface LabelsJson {
  classes?: { name: string; emergency: boolean }[];
  clips?: {
    file: string; split: Split; class: string;
    onsetSeconds?: number; offsetSeconds?: number; activeSeconds?: [number, number][]; background?: string;
  }[];
}

/** An emergency clip's active stretches: the labels' list, or else its first onset to last offset. */
function soundOf(c: NonNullable<LabelsJson['clips']>[number], index: Map<string, number>): DatasetClip['sound'] {
  const active = Array.isArray(c.activeSeconds)
    ? c.activeSeconds.filter((w) => Array.isArray(w) && w.length === 2 && Number.isFinite(w[0]) && Number.isFinite(w[1]) && w[1] > w[0])
    : Number.isFinite(c.onsetSeconds) && Number.isFinite(c.offsetSeconds) && c.offsetSeconds! > c.onsetSeconds! ? [[c.onsetSeconds!, c.offsetSeconds!] as [number, number]] : [];
  if (active.length === 0) return undefined;
  const backgroundIndex = c.background === undefined ? undefined : index.get(c.background);
  return { active, ...(backgroundIndex === undefined ? {} : { backgroundIndex }) };
}

function fromLabels(dir: string): Dataset {
  let labels: LabelsJson;
  try {
    labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as LabelsJson;
  } catch (e) {
    throw new TrainingError('bad-labels-file', `${join(dir, 'labels.json')}: not readable JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(labels.classes) || !Array.isArray(labels.clips)) {
    throw new TrainingError('bad-labels-file', `${join(dir, 'labels.json')}: expected "classes" and "clips" arrays (the scene generator's labels file)`);
  }
  const classes = labels.classes.map((c) => ({ label: c.name, emergency: !!c.emergency }));
  classes.forEach((c) => checkLabel(c.label));
  const index = new Map(classes.map((c, i) => [c.label, i]));
  const clips = labels.clips.map((c) => {
    const classIndex = index.get(c.class);
    if (classIndex === undefined || !SPLITS.includes(c.split)) {
      throw new TrainingError('bad-labels-file', `${join(dir, 'labels.json')}: clip ${c.file} has class "${c.class}" / split "${c.split}" not in the file's classes and splits`);
    }
    const sound = classes[classIndex]!.emergency ? soundOf(c, index) : undefined;
    return { path: join(dir, c.file), classIndex, split: c.split, ...(sound ? { sound } : {}) };
  });
  return { dir, source: 'labels.json', classes, clips };
}

function classFolders(dir: string): string[] {
  return readdirSync(dir).filter((f) => isDir(join(dir, f)) && !f.startsWith('.')).sort();
}

function fromFolders(dir: string, seed: number): Dataset {
  const names = classFolders(dir);
  const classes = names.map((label) => {
    checkLabel(label);
    return { label, emergency: EMERGENCY_LABELS.includes(label) };
  });
  const clips: DatasetClip[] = [];
  names.forEach((label, classIndex) => {
    const files = wavsIn(join(dir, label));
    if (files.length === 0) throw new TrainingError('empty-class', `class folder ${join(dir, label)} has no .wav files`);
    if (files.length < 3) throw new TrainingError('too-few-clips', `class folder ${join(dir, label)} has ${files.length} .wav file(s): at least 3 are needed (train, validation, held-out)`);
    const splits = shuffleSplits(files.length, (seed * 0x9e3779b1 + classIndex * 7919) >>> 0);
    files.forEach((f, i) => clips.push({ path: join(dir, label, f), classIndex, split: splits[i]! }));
  });
  return { dir, source: 'folders', classes, clips };
}

function fromSplitFolders(dir: string): Dataset {
  const names = [...new Set(SPLITS.flatMap((s) => classFolders(join(dir, s))))].sort();
  const classes = names.map((label) => {
    checkLabel(label);
    return { label, emergency: EMERGENCY_LABELS.includes(label) };
  });
  const clips: DatasetClip[] = [];
  for (const split of SPLITS) {
    names.forEach((label, classIndex) => {
      const folder = join(dir, split, label);
      const files = isDir(folder) ? wavsIn(folder) : [];
      if (files.length === 0) throw new TrainingError('empty-class', `class folder ${folder} has no .wav files`);
      files.forEach((f) => clips.push({ path: join(folder, f), classIndex, split }));
    });
  }
  return { dir, source: 'split-folders', classes, clips };
}

/** Finds the classes and clips of `dir` (files are not opened here; see clip-audio.ts). */
export function readDataset(dir: string, seed = 1): Dataset {
  if (!existsSync(dir)) throw new TrainingError('no-dataset', `${dir}: no such directory`, 'file');
  if (!isDir(dir)) throw new TrainingError('no-dataset', `${dir}: not a directory (pass a folder with one sub-folder of WAV files per class)`, 'file');
  const dataset = existsSync(join(dir, 'labels.json'))
    ? fromLabels(dir)
    : SPLITS.every((s) => isDir(join(dir, s)))
      ? fromSplitFolders(dir)
      : fromFolders(dir, seed);
  if (dataset.classes.length < 2) {
    throw new TrainingError('no-classes', `${dir}: found ${dataset.classes.length} class folder(s); a classifier needs at least 2 (one sub-folder of WAV files per class)`);
  }
  if (dataset.classes.length > 32) throw new TrainingError('no-classes', `${dir}: ${dataset.classes.length} classes; a model holds at most 32`);
  for (const split of SPLITS) {
    dataset.classes.forEach((c, i) => {
      if (!dataset.clips.some((clip) => clip.classIndex === i && clip.split === split)) {
        throw new TrainingError('too-few-clips', `class "${c.label}" has no ${split} clip: give it more WAV files`);
      }
    });
  }
  return dataset;
}

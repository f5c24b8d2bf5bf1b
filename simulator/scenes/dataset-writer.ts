// The dataset on disk, in the layout `anc train <dir>` reads: one folder of WAV files per class,
// <dir>/<class>/<nnnn>.wav, plus <dir>/labels.json with every clip's split, onset, offset, variant,
// background and SNR (and the options, so the set can be regenerated). With `splitFolders` the
// splits get their own trees instead, <dir>/<split>/<class>/<nnnn>.wav, for a trainer that only
// understands folders.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeWav } from '../wav.ts';
import { datasetClips, type DatasetOptions, type LabelledClip, type Split } from './dataset.ts';
import { isEmergency, SCENE_CLASSES } from './scene-class.ts';
import type { SceneLabel } from './scene-mix.ts';

export interface WriteOptions {
  format?: 'float32' | 'pcm16';
  splitFolders?: boolean;
  /** Called after each clip is written (progress). */
  onClip?: (clip: LabelledClip, file: string) => void;
}

export interface LabelsFile {
  generator: 'simulator/scenes';
  options: DatasetOptions;
  classes: { name: string; emergency: boolean }[];
  clips: ({ file: string; split: Split; seed: number } & SceneLabel)[];
}

export function clipPath(clip: LabelledClip, splitFolders = false): string {
  const name = `${String(clip.index).padStart(4, '0')}.wav`;
  return splitFolders ? join(clip.split, clip.label.class, name) : join(clip.label.class, name);
}

/** Renders and writes the dataset one clip at a time; returns the labels it wrote to labels.json. */
export function writeDataset(dir: string, options: DatasetOptions, w: WriteOptions = {}): LabelsFile {
  const classes = options.classes ?? SCENE_CLASSES;
  const labels: LabelsFile = { generator: 'simulator/scenes', options, classes: classes.map((name) => ({ name, emergency: isEmergency(name) })), clips: [] };
  for (const clip of datasetClips(options)) {
    const file = clipPath(clip, w.splitFolders);
    const path = join(dir, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeWav(path, options.sampleRate, [clip.samples], w.format ?? 'float32');
    labels.clips.push({ file: file.split('\\').join('/'), split: clip.split, seed: clip.seed, ...clip.label });
    w.onClip?.(clip, path);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'labels.json'), `${JSON.stringify(labels, null, 2)}\n`);
  return labels;
}

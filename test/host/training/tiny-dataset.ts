// A tiny generated dataset for the training tests: four easy-to-tell classes, short clips at
// 16 kHz, written as one folder of WAV files per class (the layout `anc train` reads).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateDataset } from '../../../simulator/scenes/dataset.ts';
import { renderClip } from '../../../simulator/scenes/scene-clip.ts';
import { writeWav } from '../../../simulator/wav.ts';

export const TINY_CLASSES = ['quiet', 'wind', 'babble', 'siren'] as const;
export const RATE = 16000;

export function writeTinyDataset(dir: string, clipsPerClass = 12, clipSeconds = 1.5): void {
  const clips = generateDataset({ seed: 5, clipsPerClass, clipSeconds, snrDbRange: [5, 20], sampleRate: RATE, classes: TINY_CLASSES });
  for (const clip of clips) {
    mkdirSync(join(dir, clip.label.class), { recursive: true });
    writeWav(join(dir, clip.label.class, `${String(clip.index).padStart(4, '0')}.wav`), RATE, [clip.samples]);
  }
}

/** A siren clip that is not in the dataset (another seed), for `anc classify`. */
export function writeSirenClip(path: string, seconds = 3): void {
  const clip = renderClip({ sceneClass: 'siren', seed: 987654, seconds, snrDbRange: [10, 15], sampleRate: RATE });
  writeWav(path, RATE, [clip.samples]);
}

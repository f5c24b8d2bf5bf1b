import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classSplits, generateDataset, SPLITS } from '../../../simulator/scenes/dataset.ts';
import { writeDataset, type LabelsFile } from '../../../simulator/scenes/dataset-writer.ts';
import { SCENE_CLASSES } from '../../../simulator/scenes/scene-class.ts';
import { PEAK_LIMIT } from '../../../simulator/scenes/scene-mix.ts';
import { readWav } from '../../../simulator/wav.ts';
import { runScenes } from '../../../simulator/cli/scenes-command.ts';
import { sameSamples } from './signal-probes.ts';

const small = { seed: 7, clipsPerClass: 4, clipSeconds: 0.5, snrDbRange: [-5, 20] as const, sampleRate: 16000 };

t.test('every class gets the same number of clips, and of each split', async (t) => {
  const clips = generateDataset(small);
  t.equal(clips.length, SCENE_CLASSES.length * 4);
  for (const c of SCENE_CLASSES) {
    const mine = clips.filter((x) => x.label.class === c);
    t.same(mine.map((x) => x.index).sort(), [0, 1, 2, 3], c);
    t.same(SPLITS.map((s) => mine.filter((x) => x.split === s).length), [3, 1, 0], `${c}: 70/15/15 of 4`);
    t.ok(mine.every((x) => x.samples.length === 8000 && x.samples.every((v) => Number.isFinite(v) && Math.abs(v) <= PEAK_LIMIT + 1e-7)), `${c}: finite, unclipped`);
  }
  for (const n of [20, 50, 101]) {
    const splits = classSplits(1, 'siren', n);
    const count = (s: string) => splits.filter((x) => x === s).length;
    t.equal(count('train'), Math.round(0.7 * n));
    t.equal(count('validation'), Math.round(0.15 * n));
    t.equal(count('held-out'), n - Math.round(0.7 * n) - Math.round(0.15 * n));
    t.same(classSplits(1, 'siren', n), splits, 'the split replays');
    t.notSame(classSplits(2, 'siren', n), splits, 'and depends on the seed');
  }
});

t.test('the same seed gives the same clips; a clip does not depend on how many are asked for', async (t) => {
  const a = generateDataset({ ...small, clipsPerClass: 2, classes: ['alarm', 'wind'] });
  const b = generateDataset({ ...small, clipsPerClass: 3, classes: ['wind', 'alarm'] });
  for (const clip of a) {
    const twin = b.find((x) => x.label.class === clip.label.class && x.index === clip.index)!;
    t.ok(sameSamples(clip.samples, twin.samples), `${clip.label.class} ${clip.index}`);
    t.same(clip.label, twin.label);
  }
  const c = generateDataset({ ...small, seed: 8, clipsPerClass: 2, classes: ['alarm', 'wind'] });
  t.notOk(sameSamples(a[0].samples, c[0].samples), 'another seed, other clips');
  t.throws(() => generateDataset({ ...small, clipsPerClass: 0 }), RangeError);
});

t.test('the writer lays out <dir>/<class>/<n>.wav with labels.json', async (t) => {
  const dir = t.testdir();
  const o = { ...small, clipsPerClass: 2, classes: ['horn', 'quiet'] as const };
  writeDataset(dir, o);
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as LabelsFile;
  t.same(labels.classes, [{ name: 'horn', emergency: true }, { name: 'quiet', emergency: false }]);
  t.same(labels.clips.map((c) => c.file).sort(), ['horn/0000.wav', 'horn/0001.wav', 'quiet/0000.wav', 'quiet/0001.wav']);
  const clips = generateDataset(o);
  for (const entry of labels.clips) {
    const wav = readWav(join(dir, entry.file));
    const clip = clips.find((c) => c.label.class === entry.class && `${c.label.class}/${String(c.index).padStart(4, '0')}.wav` === entry.file)!;
    t.equal(wav.sampleRate, 16000);
    t.ok(sameSamples(wav.channels[0], clip.samples), `${entry.file} holds the clip exactly`);
    if (entry.emergency) {
      t.ok(entry.onsetSeconds !== undefined && entry.snrDb !== undefined, 'onset and SNR recorded');
      const active = entry.activeSeconds!;
      t.same([active[0]![0], active.at(-1)![1]], [entry.onsetSeconds, entry.offsetSeconds], 'active stretches run from the onset to the offset');
      t.ok(active.every(([a, b], i) => b > a && (i === 0 || a >= active[i - 1]![1])), 'in order, not overlapping');
    }
  }
});

t.test('anc-sim scenes writes the dataset and the long mixtures', async (t) => {
  const dir = t.testdir();
  const lines = runScenes({ out: dir, seed: 1, clips: 1, seconds: 0.5, snr: [0, 10], rate: 16000, classes: 'siren,office', splitFolders: true, long: 30, eventsPerMinute: 6, pcm16: true });
  t.match(lines[0], /wrote 2 clips of 2 classes/);
  t.equal(readWav(join(dir, 'train/siren/0000.wav')).sampleRate, 16000);
  const long = JSON.parse(readFileSync(join(dir, 'long/non-emergency.json'), 'utf8'));
  t.same(long.events, []);
  t.equal(readWav(join(dir, 'long/emergency.wav')).channels[0].length, 30 * 16000);
});

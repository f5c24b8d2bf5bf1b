// `anc train` on a tiny generated dataset: it learns (clearly better than chance on held-out
// clips), the int8 model agrees with the float one, the blob decodes and loads into the firmware,
// and `anc classify` hears a siren clip as a siren.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFirmware } from '../../../firmware/loader.ts';
import { decodeModelBlob } from '../../../firmware/model-blob.ts';
import { main, type CliIo } from '../../../host/cli/main.ts';
import type { TrainingReport } from '../../../host/training/training-report.ts';
import { RATE, TINY_CLASSES, writeSirenClip, writeTinyDataset } from './tiny-dataset.ts';

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: {} };
}

const dir = t.testdir({});
const data = join(dir, 'data');
writeTinyDataset(data);
writeSirenClip(join(dir, 'siren.wav'));

t.test('anc train -> blob, report; anc classify', async (t) => {
  const io = capture();
  const code = await main(['train', data, '--out', join(dir, 'm.ancm'), '--report', join(dir, 'r.json'), '--epochs', '12', '--hidden', '32', '--seed', '3', '--json'], io);
  t.equal(code, 0, 'anc train exits 0');
  const line = JSON.parse(io.out[0]!);
  t.match(line, { ok: true, command: 'train', blobBytes: Number });

  const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as TrainingReport;
  t.equal(report.dataset.source, 'folders');
  t.same(report.dataset.classes.map((c) => c.label), [...TINY_CLASSES].sort(), 'classes from the folder names');
  t.ok(report.dataset.classes.find((c) => c.label === 'siren')!.emergency, 'siren is an emergency class');
  const chance = 1 / TINY_CLASSES.length;
  t.ok(report.heldOut.windows.accuracy >= 0.6, `held-out window accuracy ${report.heldOut.windows.accuracy.toFixed(2)} clearly above chance ${chance}`);
  t.ok(report.heldOutAccuracy >= 0.6, `held-out clip accuracy ${report.heldOutAccuracy.toFixed(2)}`);
  t.ok(report.heldOut.int8FloatWindowAgreement >= 0.9, `int8 agrees with float on ${(100 * report.heldOut.int8FloatWindowAgreement).toFixed(1)} % of held-out windows`);
  t.equal(report.heldOut.clips.confusion.flat().reduce((a, b) => a + b, 0), report.dataset.clips.heldOut, 'confusion counts every held-out clip');
  t.equal(report.heldOut.clips.perClass.length, TINY_CLASSES.length);
  t.ok(report.decision.validationClipAccuracy.after >= report.decision.validationClipAccuracy.before, 'the chosen thresholds decide the validation clips no worse than 0.6');
  // the wasm time is a difference of two timed runs: a tiny model's cost can vanish in the noise
  t.ok(report.cost.multiplyAddsPerInference > 0 && Number.isFinite(report.cost.wasm!.microsPerInference) && report.cost.wasm!.microsPerInference >= 0, 'inference cost measured');

  const blob = new Uint8Array(readFileSync(join(dir, 'm.ancm')));
  t.equal(report.blob.bytes, blob.length);
  t.ok(blob.length <= 65536, 'fits a model slot');
  const model = decodeModelBlob(blob);
  t.equal(model.layers[0]!.inSize, model.features.melBands * model.features.contextFrames);
  t.same(model.classes.map((c) => c.threshold), report.decision.thresholds.map((c) => c.threshold), 'the blob holds the report\'s thresholds');
  t.equal(loadFirmware().init(48000).tryLoadModel(blob), 0, 'the firmware loads it at 48 kHz');
  t.equal(loadFirmware().init(RATE).tryLoadModel(blob), 0, 'and at 16 kHz');

  const cls = capture();
  t.equal(await main(['classify', join(dir, 'siren.wav'), '--model', join(dir, 'm.ancm'), '--json'], cls), 0, 'anc classify exits 0');
  const result = JSON.parse(cls.out[0]!);
  const decided = result.decisions.filter((d: { class: string | null }) => d.class !== null);
  const siren = decided.filter((d: { class: string }) => d.class === 'siren').length;
  t.ok(decided.length > result.decisions.length / 2, `${decided.length} of ${result.decisions.length} hops decided`);
  t.ok(siren > decided.length / 2, `siren on ${siren} of ${decided.length} decided hops`);
  t.equal(result.dominant, 'siren');
  t.ok(result.decisions.every((d: { emergency: boolean; class: string | null }) => d.emergency === (d.class === 'siren')), 'siren decisions are flagged as emergencies');

  const human = capture();
  t.equal(await main(['classify', join(dir, 'siren.wav'), '--model', join(dir, 'm.ancm')], human), 0);
  t.match(human.out.at(-1), /mostly siren/);
});

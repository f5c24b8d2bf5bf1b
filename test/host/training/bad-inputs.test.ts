// `anc train` and `anc classify` refuse what they cannot use with one clear line and an exit code:
// 4 when a path cannot be read, 2 when the content is not usable, 1 for a bad command line.
import t, { type Test } from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, type CliIo } from '../../../host/cli/main.ts';
import { encodeModelBlob } from '../../../firmware/model-blob.ts';
import { writeWav } from '../../../simulator/wav.ts';
import { testModel } from '../../firmware/classifier-fixtures.ts';

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: {} };
}

const tone = (rate: number, seconds = 0.6) => Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.1 * Math.sin((2 * Math.PI * 440 * i) / rate));

/** n short WAV files per class folder. */
function folders(dir: string, classes: Record<string, number>, rate = 16000): string {
  for (const [name, n] of Object.entries(classes)) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let i = 0; i < n; i++) writeWav(join(dir, name, `${i}.wav`), rate, [tone(rate)]);
  }
  return dir;
}

const root = t.testdir({});
const out = join(root, 'm.ancm');

async function refused(t: Test, args: string[], exitCode: number, code: string, message: RegExp) {
  const io = capture();
  t.equal(await main([...args, '--json'], io), exitCode, `exit ${exitCode}`);
  const line = JSON.parse(io.out[0]!);
  t.match(line, { ok: false, exitCode, error: { code, message } });
  const human = capture();
  t.equal(await main(args, human), exitCode);
  t.match(human.err.at(-1), /^anc: /);
}

t.test('missing dataset directory', (t) => refused(t, ['train', join(root, 'nope'), '--out', out], 4, 'no-dataset', /no such directory/).then(() => t.end()));

t.test('a class folder without WAV files', async (t) => {
  const dir = folders(join(root, 'empty'), { quiet: 4, siren: 4 });
  mkdirSync(join(dir, 'wind'));
  writeFileSync(join(dir, 'wind', 'notes.txt'), 'nothing here');
  await refused(t, ['train', dir, '--out', out], 2, 'empty-class', /wind has no \.wav files/);
});

t.test('fewer than two classes', async (t) => {
  const dir = folders(join(root, 'one'), { quiet: 4 });
  await refused(t, ['train', dir, '--out', out], 2, 'no-classes', /at least 2/);
});

t.test('a folder name that is not a label', async (t) => {
  const dir = folders(join(root, 'label'), { quiet: 4, 'Car Horn': 4 });
  await refused(t, ['train', dir, '--out', out], 2, 'bad-label', /Car Horn/);
});

t.test('an unreadable WAV file', async (t) => {
  const dir = folders(join(root, 'junk'), { quiet: 4, siren: 4 });
  writeFileSync(join(dir, 'siren', '9.wav'), 'RIFF but not really a wave file');
  await refused(t, ['train', dir, '--out', out], 2, 'bad-wav', /9\.wav: not a readable WAV/);
});

t.test('mismatched sample rates', async (t) => {
  const dir = folders(join(root, 'rates'), { quiet: 4, siren: 4 });
  writeWav(join(dir, 'siren', '3.wav'), 32000, [tone(32000)]);
  await refused(t, ['train', dir, '--out', out], 2, 'sample-rate', /32000 Hz differs from the dataset's 16000 Hz/);
});

t.test("a rate the front end cannot divide", async (t) => {
  const dir = folders(join(root, 'r44'), { quiet: 4, siren: 4 }, 44100);
  await refused(t, ['train', dir, '--out', out], 2, 'sample-rate', /44100 Hz is not a whole multiple/);
});

t.test('clips shorter than the network context', async (t) => {
  const dir = join(root, 'short');
  for (const c of ['quiet', 'siren']) {
    mkdirSync(join(dir, c), { recursive: true });
    for (let i = 0; i < 3; i++) writeWav(join(dir, c, `${i}.wav`), 16000, [tone(16000, 0.1)]);
  }
  await refused(t, ['train', dir, '--out', out], 2, 'bad-wav', /too short/);
});

t.test('bad options', async (t) => {
  const io = capture();
  t.equal(await main(['train', root, '--out', out, '--hidden', 'x', '--json'], io), 1);
  t.match(JSON.parse(io.out[0]!), { error: { code: 'usage' } });
});

t.test('classify: missing model, bad model, bad WAV, wrong rate', async (t) => {
  const wav = join(root, 'c.wav');
  writeWav(wav, 16000, [tone(16000)]);
  await refused(t, ['classify', wav, '--model', join(root, 'none.ancm')], 4, 'ENOENT', /none\.ancm: no such file/);
  writeFileSync(join(root, 'bad.ancm'), new Uint8Array(200));
  await refused(t, ['classify', wav, '--model', join(root, 'bad.ancm')], 2, 'bad-model', /model blob refused/);
  const model = join(root, 'ok.ancm');
  writeFileSync(model, encodeModelBlob(testModel('dense', 1))); // a 16 kHz front end
  writeFileSync(join(root, 'bad.wav'), 'not audio');
  await refused(t, ['classify', join(root, 'bad.wav'), '--model', model], 2, 'bad-wav', /bad\.wav: not a readable WAV/);
  await refused(t, ['classify', join(root, 'none.wav'), '--model', model], 4, 'ENOENT', /none\.wav: no such file/);
  const w22 = join(root, 'w22.wav');
  writeWav(w22, 22050, [tone(22050)]);
  await refused(t, ['classify', w22, '--model', model], 2, 'sample-rate', /22050 Hz is not a whole multiple of the model's 16000 Hz/);
});

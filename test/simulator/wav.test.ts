import t from 'tap';
import { join } from 'node:path';
import { readMonoAt, readWav, resampleLinear, writeWav } from '../../simulator/wav.ts';

const dir = t.testdir();
const ramp = Float32Array.from({ length: 100 }, (_, i) => (i - 50) / 64);

t.test('32-bit float round trip is exact, channels and rate kept', async (t) => {
  const path = join(dir, 'float.wav');
  const second = ramp.map((v) => -v);
  writeWav(path, 44100, [ramp, second]);
  const back = readWav(path);
  t.equal(back.sampleRate, 44100);
  t.equal(back.channels.length, 2);
  t.same(Array.from(back.channels[0]), Array.from(ramp));
  t.same(Array.from(back.channels[1]), Array.from(second));
});

t.test('16-bit round trip is within one step', async (t) => {
  const path = join(dir, 'pcm.wav');
  writeWav(path, 48000, [ramp], 'pcm16');
  const back = readWav(path).channels[0];
  t.ok(back.every((v, i) => Math.abs(v - ramp[i]) <= 1 / 32767), 'within 1 LSB');
});

t.test('readMonoAt takes the first channel and resamples linearly', async (t) => {
  const path = join(dir, 'slow.wav');
  writeWav(path, 24000, [Float32Array.from([0, 1, 0, -1]), Float32Array.from([9, 9, 9, 9])]);
  t.same(Array.from(readMonoAt(path, 48000)), [0, 0.5, 1, 0.5, 0, -0.5, -1]);
  t.same(Array.from(readMonoAt(path, 24000)), [0, 1, 0, -1]);
});

t.test('resampling keeps a tone at its frequency', async (t) => {
  const tone = Float32Array.from({ length: 44100 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 44100));
  const out = resampleLinear(tone, 44100, 48000);
  t.ok(Math.abs(out.length - 48000) <= 1);
  let crossings = 0;
  for (let i = 1; i < out.length; i++) if ((out[i - 1] < 0) !== (out[i] < 0)) crossings++;
  t.ok(Math.abs(crossings / 2 - 1000) <= 1, `${crossings / 2} Hz`);
});

t.test('a file that is not a WAV is refused', async (t) => {
  const path = join(dir, 'missing.wav');
  t.throws(() => readWav(path));
});

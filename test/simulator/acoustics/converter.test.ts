import t from 'tap';
import { Adc } from '../../../simulator/acoustics/converter.ts';
import { createRandom } from '../../../simulator/acoustics/random.ts';

t.test('delivers the sound `latency` samples late, silence before it', async (t) => {
  const adc = new Adc(2, 0, createRandom(1));
  const sound = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
  t.same([0, 1, 2, 3].map((n) => adc.sample(sound, n)), [0, 0, Math.fround(0.1), Math.fround(0.2)]);
});

t.test('clips at full scale', async (t) => {
  const adc = new Adc(0, 0, createRandom(1));
  const sound = Float32Array.from([3, -3, Number.POSITIVE_INFINITY]);
  t.same([0, 1, 2].map((n) => adc.sample(sound, n)), [1, -1, 1]);
});

t.test('adds self-noise of the stated level', async (t) => {
  const adc = new Adc(0, 1e-3, createRandom(3));
  const sound = new Float32Array(20000);
  let sum2 = 0;
  for (let n = 0; n < sound.length; n++) sum2 += adc.sample(sound, n) ** 2;
  const rms = Math.sqrt(sum2 / sound.length);
  t.ok(Math.abs(rms / 1e-3 - 1) < 0.03, `rms ${rms}`);
});

t.test('refuses a fractional latency', async (t) => {
  t.throws(() => new Adc(1.5, 0, createRandom(1)), RangeError);
});

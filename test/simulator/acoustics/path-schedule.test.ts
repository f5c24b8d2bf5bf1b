import t from 'tap';
import { cascade } from '../../../simulator/acoustics/impulse-response.ts';
import { PathSchedule } from '../../../simulator/acoustics/path-schedule.ts';
import { createRandom } from '../../../simulator/acoustics/random.ts';

const r = createRandom(9);
const input = Float32Array.from({ length: 200 }, () => r.gaussian());
const h1 = Float32Array.from([0.5, -0.25, 0.125, 0.3]);
const h2 = Float32Array.from([0, 0, 1]);

t.test('a fixed path is plain convolution, whether run at once or block by block', async (t) => {
  const whole = new Float32Array(200);
  new PathSchedule(h1).convolveInto(input, whole, 0, 200);
  const full = cascade(h1, input);
  let worst = 0;
  for (let n = 0; n < 200; n++) worst = Math.max(worst, Math.abs(whole[n] - full[n]));
  t.ok(worst < 1e-6, `max error ${worst}`);
  const blocks = new Float32Array(200);
  const path = new PathSchedule(h1);
  for (let n = 0; n < 200; n += 7) path.convolveInto(input, blocks, n, Math.min(200, n + 7));
  t.same(blocks, whole);
});

t.test('adds into the output', async (t) => {
  const out = new Float32Array(200).fill(1);
  new PathSchedule(Float32Array.from([1])).convolveInto(input, out, 0, 200);
  t.equal(out[50], Math.fround(input[50] + 1));
});

t.test('a change switches the whole response at its sample', async (t) => {
  const path = new PathSchedule(h1).change(100, h2);
  const out = new Float32Array(200);
  for (let n = 0; n < 200; n += 13) path.convolveInto(input, out, n, Math.min(200, n + 13));
  const before = cascade(h1, input);
  t.ok(Math.abs(out[99] - before[99]) < 1e-6);
  t.equal(out[100], input[98]);
  t.equal(out[199], input[197]);
  t.equal(path.at(99), h1);
  t.equal(path.at(100), h2);
  t.equal(path.lastChange, 100);
  t.equal(new PathSchedule(h1).lastChange, 0);
});

t.test('changes must move forward in whole samples', async (t) => {
  const path = new PathSchedule(h1).change(10, h2);
  t.throws(() => path.change(10, h1), RangeError);
  t.throws(() => path.change(20.5, h1), RangeError);
});

import t from 'tap';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { estimateSecondaryPath } from '../../../simulator/acoustics/secondary-path-estimate.ts';

const path = Float32Array.from({ length: 200 }, (_, k) => Math.exp(-k / 20) * Math.sin(k / 3));
const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));

t.test('exact: the true path cut to the model length', async (t) => {
  const s = estimateSecondaryPath(path, 128, 0, createRandom(1));
  t.equal(s.length, 128);
  t.same(Array.from(s), Array.from(path.subarray(0, 128)));
  t.equal(estimateSecondaryPath(path.subarray(0, 50), 128, 0, createRandom(1)).length, 50);
});

t.test('with error: ||S^ - S|| / ||S|| is exactly the requested fraction, and seeded', async (t) => {
  const s = estimateSecondaryPath(path, 128, 0.1, createRandom(4));
  const cut = path.subarray(0, 128);
  const rel = norm(s.map((v, k) => v - cut[k])) / norm(cut);
  t.ok(Math.abs(rel - 0.1) < 1e-4, `relative error ${rel}`);
  t.same(s, estimateSecondaryPath(path, 128, 0.1, createRandom(4)));
});

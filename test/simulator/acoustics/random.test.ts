import t from 'tap';
import { createRandom } from '../../../simulator/acoustics/random.ts';

t.test('the same seed replays the same sequence, another seed does not', async (t) => {
  const a = createRandom(42);
  const b = createRandom(42);
  const c = createRandom(43);
  const seqA = Array.from({ length: 8 }, () => a.gaussian());
  t.same(Array.from({ length: 8 }, () => b.gaussian()), seqA);
  t.not(Array.from({ length: 8 }, () => c.gaussian())[0], seqA[0]);
});

t.test('uniform lies in [0, 1) and gaussian has unit variance', async (t) => {
  const r = createRandom(7);
  let min = 1, max = 0, sum = 0, sum2 = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    min = Math.min(min, u);
    max = Math.max(max, u);
    const g = r.gaussian();
    sum += g;
    sum2 += g * g;
  }
  t.ok(min >= 0 && max < 1);
  t.ok(Math.abs(sum / n) < 0.02, `mean ${sum / n}`);
  t.ok(Math.abs(sum2 / n - 1) < 0.02, `variance ${sum2 / n}`);
});

import t from 'tap';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { siren, sweepShape } from '../../../simulator/scenes/siren.ts';
import { dominantTrack, percentile, sameSamples, upCrossingsPerSecond } from './signal-probes.ts';

const fs = 48000;
const HOP = 256;
const framesPerSecond = fs / HOP;
const SEEDS = [1, 2, 3, 4, 5];
const track = (kind: Parameters<typeof siren>[0], seed: number, seconds: number) => dominantTrack(siren(kind, createRandom(seed), seconds * fs, fs).samples, fs, 1024, HOP, 200);

t.test('the sweep shape rises over its rise fraction and falls back', async (t) => {
  t.equal(sweepShape(0, 0.6), 0);
  t.ok(Math.abs(sweepShape(0.6, 0.6) - 1) < 1e-12);
  t.ok(sweepShape(0.3, 0.6) > 0.4 && sweepShape(0.3, 0.6) < 0.6);
  t.ok(Math.abs(sweepShape(1.25, 0.5) - sweepShape(0.25, 0.5)) < 1e-12, 'periodic');
});

t.test('wail sweeps roughly 600-1500 Hz over a few seconds', async (t) => {
  for (const seed of SEEDS) {
    const f = track('wail', seed, 9);
    const lo = percentile(f, 0.02);
    const hi = percentile(f, 0.98);
    t.ok(lo > 480 && lo < 900, `seed ${seed}: low end ${lo.toFixed(0)} Hz`);
    t.ok(hi > 1150 && hi < 1850, `seed ${seed}: high end ${hi.toFixed(0)} Hz`);
    const rate = upCrossingsPerSecond(f, (lo + hi) / 2, framesPerSecond);
    t.ok(rate >= 0.1 && rate <= 0.45, `seed ${seed}: ${rate.toFixed(2)} sweeps/s (a period of 2.2-10 s)`);
  }
});

t.test('yelp sweeps the same range several times a second', async (t) => {
  for (const seed of SEEDS) {
    const f = track('yelp', seed, 3);
    const lo = percentile(f, 0.05);
    const hi = percentile(f, 0.95);
    t.ok(hi - lo > 400, `seed ${seed}: sweeps ${lo.toFixed(0)}-${hi.toFixed(0)} Hz`);
    const rate = upCrossingsPerSecond(f, (lo + hi) / 2, framesPerSecond);
    t.ok(rate >= 2.5 && rate <= 7.5, `seed ${seed}: ${rate.toFixed(2)} sweeps/s`);
  }
});

for (const [kind, ratio, holds, lowest] of [
  ['hi-lo', [1.15, 1.42], [1.4, 4.4], [500, 1000]],
  ['two-tone', [1.25, 1.42], [0.5, 2.2], [330, 520]],
] as const) {
  t.test(`${kind} alternates two steady tones`, async (t) => {
    for (const seed of SEEDS) {
      const f = track(kind, seed, 6);
      const lo = percentile(f, 0.15);
      const hi = percentile(f, 0.85);
      t.ok(hi / lo > ratio[0] && hi / lo < ratio[1], `seed ${seed}: ${lo.toFixed(0)} / ${hi.toFixed(0)} Hz, ratio ${(hi / lo).toFixed(3)}`);
      t.ok(lo > lowest[0] && lo < lowest[1], `seed ${seed}: low tone ${lo.toFixed(0)} Hz`);
      // almost every frame sits on one of the two tones, not between
      const between = f.filter((x) => x > lo * 1.06 && x < hi / 1.06).length / f.length;
      t.ok(between < 0.15, `seed ${seed}: ${(100 * between).toFixed(0)} % of frames between the tones`);
      const switches = upCrossingsPerSecond(f, Math.sqrt(lo * hi), framesPerSecond);
      t.ok(switches >= holds[0] / 2 && switches <= holds[1] / 2, `seed ${seed}: ${switches.toFixed(2)} high-tone starts/s`);
    }
  });
}

t.test('sirens replay from their seed and never clip', async (t) => {
  for (const kind of ['wail', 'yelp', 'hi-lo', 'two-tone'] as const) {
    const a = siren(kind, createRandom(9), fs, fs);
    t.ok(sameSamples(a.samples, siren(kind, createRandom(9), fs, fs).samples), `${kind} replays`);
    t.notOk(sameSamples(a.samples, siren(kind, createRandom(10), fs, fs).samples), `${kind} differs by seed`);
    t.ok(a.samples.every((v) => Math.abs(v) < 1), kind);
    t.same(a.active, [{ start: 0, end: fs }]);
  }
});

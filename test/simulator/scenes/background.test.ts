import t from 'tap';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { rmsOf } from '../../../simulator/noise/level.ts';
import { background, LEVEL_DBFS } from '../../../simulator/scenes/background.ts';
import { ENVIRONMENT_CLASSES } from '../../../simulator/scenes/scene-class.ts';
import { jointImpacts } from '../../../simulator/scenes/train-noise.ts';
import { sameSamples } from './signal-probes.ts';

const fs = 16000;

t.test('every environment renders finite audio at its drawn level, replayably', async (t) => {
  const levels: Record<string, number[]> = {};
  for (const env of ENVIRONMENT_CLASSES) {
    for (const seed of [1, 2, 3, 4]) {
      const b = background(env, createRandom(seed), fs, fs);
      t.ok(b.samples.every(Number.isFinite), `${env} ${seed} finite`);
      t.ok(Math.abs(20 * Math.log10(rmsOf(b.samples)) - b.levelDbfs) < 0.01, `${env} ${seed} at ${b.levelDbfs.toFixed(1)} dBFS`);
      const [lo, hi] = LEVEL_DBFS[env === 'quiet' ? 'quiet' : 'loud'];
      t.ok(b.levelDbfs >= lo && b.levelDbfs <= hi);
      (levels[env] ??= []).push(b.levelDbfs);
    }
    t.ok(sameSamples(background(env, createRandom(5), fs / 4, fs).samples, background(env, createRandom(5), fs / 4, fs).samples), `${env} replays`);
  }
  t.ok(Math.max(...levels.quiet) < Math.min(...ENVIRONMENT_CLASSES.filter((e) => e !== 'quiet').flatMap((e) => levels[e])), 'quiet is quieter than the rest');
});

t.test('rail joints come in groups of four axles, once per rail length', async (t) => {
  const speed = 20;
  const { at } = jointImpacts(createRandom(4), speed, 10 * fs, fs);
  const gaps = at.slice(1).map((v, i) => (v - at[i]) / fs);
  const axleGaps = gaps.filter((g) => g < 0.2); // 2.2-2.8 m at 20 m/s: 0.11-0.14 s
  t.ok(axleGaps.every((g) => g > 0.1 && g < 0.15), 'axle pairs 2.2-2.8 m apart');
  // every fourth impact repeats one rail length later (11.9, 18 or 25 m)
  const periods = at.slice(4).map((v, i) => (v - at[i]) / fs);
  const period = periods[0];
  t.ok([11.9, 18, 25].some((rail) => Math.abs(period - rail / speed) < 0.002), `period ${period.toFixed(3)} s`);
  t.ok(periods.every((p) => Math.abs(p - period) < 0.002), 'periodic');
});

import t from 'tap';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { smokeAlarm, temporal3Pulses } from '../../../simulator/scenes/smoke-alarm.ts';
import { dominantTrack, envelopeDb, onOffRuns, percentile } from './signal-probes.ts';

const fs = 48000;
const FRAME = 0.005;

t.test('the temporal-3 pattern: three 0.5 s pulses 0.5 s apart, then 1.5 s of silence (ISO 8201)', async (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const alarm = smokeAlarm(createRandom(seed), 9 * fs, fs);
    const runs = onOffRuns(envelopeDb(alarm.samples, fs, FRAME), FRAME);
    // on, off, on, off, on, pause, on, off, on, off, on, pause, on ...: the first eleven runs
    const expected = ['on', 'off', 'on', 'off', 'on', 'pause', 'on', 'off', 'on', 'off', 'on'];
    expected.forEach((kind, i) => {
      const run = runs[i];
      const [lo, hi] = kind === 'pause' ? [1.35, 1.65] : [0.45, 0.55];
      t.equal(run.on, kind === 'on', `seed ${seed} run ${i} is ${kind}`);
      t.ok(run.seconds >= lo && run.seconds <= hi, `seed ${seed} run ${i} (${kind}) lasts ${run.seconds.toFixed(3)} s`);
    });
    t.ok(alarm.active.length >= 7 && alarm.active.length <= 8, `seed ${seed}: ${alarm.active.length} pulses start within 9 s`);
  }
});

t.test('the tone sits near 3 kHz (2.9-3.5 kHz) and is steady within a pulse', async (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const alarm = smokeAlarm(createRandom(seed), 4 * fs, fs);
    const p = alarm.active[0];
    const f = dominantTrack(alarm.samples.subarray(p.start + 1000, p.end - 1000), fs, 4096, 1024);
    const median = percentile(f, 0.5);
    t.ok(median >= 2900 && median <= 3500, `seed ${seed}: ${median.toFixed(0)} Hz`);
    t.ok(Math.max(...f) - Math.min(...f) < 60, `seed ${seed}: within ${(Math.max(...f) - Math.min(...f)).toFixed(1)} Hz over the pulse`);
  }
});

t.test('the pulses follow the pattern from sample 0 and stop at the end', async (t) => {
  const pulses = temporal3Pulses({ onSeconds: 0.5, offSeconds: 0.5, pauseSeconds: 1.5 }, 5 * 1000, 1000);
  t.same(pulses, [
    { start: 0, end: 500 },
    { start: 1000, end: 1500 },
    { start: 2000, end: 2500 },
    { start: 4000, end: 4500 },
  ]);
  t.same(temporal3Pulses({ onSeconds: 0.5, offSeconds: 0.5, pauseSeconds: 1.5 }, 1200, 1000), [{ start: 0, end: 500 }, { start: 1000, end: 1200 }]);
});

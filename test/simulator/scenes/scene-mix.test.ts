import t from 'tap';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { background } from '../../../simulator/scenes/background.ts';
import { emergencySound } from '../../../simulator/scenes/emergency-sound.ts';
import { EMERGENCY_CLASSES } from '../../../simulator/scenes/scene-class.ts';
import { renderClip } from '../../../simulator/scenes/scene-clip.ts';
import { mixAtSnr, PEAK_LIMIT, snrOver } from '../../../simulator/scenes/scene-mix.ts';
import { sameSamples } from './signal-probes.ts';

const fs = 16000;

t.test('the SNR over the active part is the one asked for, within 0.1 dB, for every kind of sound', async (t) => {
  let seed = 1;
  for (const cls of EMERGENCY_CLASSES) {
    for (const snrDb of [-10, 0, 7.5, 20]) {
      seed++;
      const bg = background('traffic', createRandom(seed), 3 * fs, fs).samples;
      const sound = emergencySound(cls, createRandom(seed + 100), 2.5, fs);
      const onset = Math.round(0.3 * fs);
      const mix = mixAtSnr(bg, sound, onset, snrDb);
      const measured = snrOver(mix.signal, mix.background, mix.active);
      t.ok(Math.abs(measured - snrDb) < 0.1, `${cls}/${sound.variant} at ${snrDb} dB: measured ${measured.toFixed(3)} dB`);
      t.equal(mix.active[0].start, onset + sound.active[0].start, `${cls}: active part starts at the onset`);
      let worst = 0;
      for (let i = 0; i < mix.mixture.length; i++) worst = Math.max(worst, Math.abs(mix.mixture[i] - mix.signal[i] - mix.background[i]));
      t.ok(worst < 1e-6, 'mixture = signal + background');
      t.ok(mix.signal.subarray(0, onset).every((v) => v === 0), 'silent before the onset');
    }
  }
});

t.test('loud mixes are scaled whole, never clipped, and keep their SNR', async (t) => {
  const bg = background('machinery', createRandom(3), fs, fs).samples;
  const g = 0.5 / bg.reduce((m, v) => Math.max(m, Math.abs(v)), 0); // very loud: peaks at -6 dBFS before the siren
  for (let i = 0; i < bg.length; i++) bg[i] *= g;
  const mix = mixAtSnr(bg, emergencySound('siren', createRandom(4), 1, fs), 0, 25);
  t.ok(mix.mixture.every((v) => Math.abs(v) <= PEAK_LIMIT + 1e-7), 'no sample past -1 dBFS');
  t.ok(Math.abs(snrOver(mix.signal, mix.background, mix.active) - 25) < 0.1);
});

t.test('a sound placed past the end is refused, not mislabelled', async (t) => {
  const bg = background('office', createRandom(3), fs, fs).samples;
  t.throws(() => mixAtSnr(bg, emergencySound('horn', createRandom(4), 1, fs), fs, 0), RangeError);
});

t.test('clips replay from their seed, carry honest labels and never clip', async (t) => {
  for (const sceneClass of ['siren', 'alarm', 'horn', 'train', 'quiet'] as const) {
    const o = { sceneClass, seed: 42, seconds: 1.5, snrDbRange: [-5, 20] as const, sampleRate: fs };
    const a = renderClip(o);
    t.ok(sameSamples(a.samples, renderClip(o).samples), `${sceneClass} replays`);
    t.notOk(sameSamples(a.samples, renderClip({ ...o, seed: 43 }).samples), `${sceneClass} differs by seed`);
    t.equal(a.samples.length, 1.5 * fs);
    t.ok(a.samples.every((v) => Number.isFinite(v) && Math.abs(v) <= PEAK_LIMIT + 1e-7), `${sceneClass} finite, below -1 dBFS`);
    t.equal(a.label.class, sceneClass);
    t.equal(a.label.emergency, sceneClass === 'siren' || sceneClass === 'alarm' || sceneClass === 'horn');
    if (a.label.emergency) {
      t.ok(a.label.onsetSeconds! >= 0 && a.label.onsetSeconds! <= 0.375, `onset ${a.label.onsetSeconds}`);
      t.ok(a.label.offsetSeconds! > a.label.onsetSeconds! && a.label.offsetSeconds! <= 1.5);
      t.ok(a.label.snrDb! >= -5 && a.label.snrDb! <= 20);
      t.ok(a.label.background && a.label.variant);
    } else t.equal(a.label.onsetSeconds, undefined);
  }
});

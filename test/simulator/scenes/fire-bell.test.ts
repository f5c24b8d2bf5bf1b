import t from 'tap';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { drawBellPartials, fireBell } from '../../../simulator/scenes/fire-bell.ts';
import { ringModes } from '../../../simulator/scenes/struck-modes.ts';
import { envelopeDb, onOffRuns, powerDbAt } from './signal-probes.ts';

const fs = 48000;

t.test('one strike rings in inharmonic partials, each decaying, the higher ones faster', async (t) => {
  for (const seed of [1, 2, 3]) {
    const partials = drawBellPartials(createRandom(seed));
    const ring = ringModes(partials, [0], [1], fs, fs);
    const [p0, p1] = partials;
    const ratio = p1.hz / p0.hz;
    t.ok(Math.abs(ratio - Math.round(ratio)) > 0.15, `seed ${seed}: second partial at ${ratio.toFixed(2)} x the first, not a harmonic`);
    const early = ring.subarray(0, 4800);
    const late = ring.subarray(9600, 14400);
    for (const [k, p] of partials.slice(0, 3).entries()) {
      const drop = powerDbAt(early, p.hz, fs) - powerDbAt(late, p.hz, fs);
      // 60 dB per t60: the drop between windows 0.2 s apart
      const expected = (60 * 0.2) / p.t60Seconds;
      t.ok(Math.abs(drop - expected) < 3, `seed ${seed} partial ${k} (${p.hz.toFixed(0)} Hz) falls ${drop.toFixed(1)} dB in 0.2 s, expected ${expected.toFixed(1)}`);
      t.ok(powerDbAt(early, p.hz, fs) - powerDbAt(early, p.hz * 1.1, fs) > 15, `seed ${seed} partial ${k} stands out`);
    }
    t.ok(partials[1].t60Seconds < partials[0].t60Seconds && partials[2].t60Seconds < partials[1].t60Seconds, 'higher partials die faster');
  }
});

t.test('a vibrating bell rings continuously; a single-stroke bell dings and decays between strikes', async (t) => {
  const found = new Set<string>();
  for (let seed = 1; seed < 40 && found.size < 2; seed++) {
    const bell = fireBell(createRandom(seed), 3 * fs, fs);
    if (found.has(bell.variant)) continue;
    found.add(bell.variant);
    const env = envelopeDb(bell.samples, fs, 0.01);
    if (bell.variant === 'bell-vibrating') {
      const runs = onOffRuns(env, 0.01, 15);
      t.equal(runs.length, 1, `seed ${seed}: never drops 15 dB below its peak`);
    } else {
      t.equal(bell.variant, 'bell-single-stroke');
      // the envelope right after a strike is well above the envelope just before the next
      const peak = env.indexOf(Math.max(...env.slice(0, 50)));
      t.ok(env[peak] - env[peak + 30] > 3, `seed ${seed}: decays ${(env[peak] - env[peak + 30]).toFixed(1)} dB in 0.3 s`);
    }
  }
  t.equal(found.size, 2, 'both variants occur');
});

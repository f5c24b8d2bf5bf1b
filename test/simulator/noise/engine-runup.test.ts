import t from 'tap';
import { engineRunup, firingHz, rpmAt } from '../../../simulator/noise/engine-runup.ts';
import { spectrumDb } from './spectrum.ts';

const fs = 48000;
const spec = { rpmFrom: 1500, rpmTo: 4500, rampSeconds: 2, harmonics: [0.3, 0.1] };

t.test('the firing frequency of a four-stroke four-cylinder is twice the rev rate', async (t) => {
  t.equal(firingHz(3000), 100);
  t.equal(firingHz(3000, 6), 150);
  t.equal(rpmAt(spec, fs, fs), 3000);
  t.equal(rpmAt(spec, 10 * fs, fs), 4500, 'holds after the ramp');
});

t.test('the fundamental and its harmonic track the RPM', async (t) => {
  const x = engineRunup(spec, 3 * fs, fs);
  // after the ramp the engine holds 4500 rpm: 150 Hz and 300 Hz, nothing at the start's 50 Hz
  const held = x.subarray(2 * fs, 3 * fs);
  t.ok(spectrumDb(held, 150, fs) - spectrumDb(held, 50, fs) > 40);
  t.ok(spectrumDb(held, 300, fs) - spectrumDb(held, 225, fs) > 40);
  // early on (about 1600 rpm) the fundamental sits near 53 Hz
  const early = x.subarray(0, 4096 * 2);
  t.ok(spectrumDb(early, 53, fs) - spectrumDb(early, 150, fs) > 30);
});

t.test('phase is continuous: no sample-to-sample jump larger than the highest harmonic allows', async (t) => {
  const x = engineRunup(spec, 2 * fs, fs);
  let worst = 0;
  for (let i = 1; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - x[i - 1]));
  const bound = (2 * Math.PI * (150 * 0.3 + 300 * 0.1)) / fs;
  t.ok(worst <= bound * 1.01, `largest step ${worst} vs ${bound}`);
});

import t from 'tap';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { rmsOf } from '../../../simulator/noise/level.ts';
import { generateNoise } from '../../../simulator/noise/noise-spec.ts';
import { coherence, spectrumDb } from './spectrum.ts';
import { pinkNoise } from '../../../simulator/noise/colored-noise.ts';

const fs = 48000;

t.test('wind at the two mics is incoherent, and low-frequency heavy', async (t) => {
  const { source, local } = generateNoise({ kind: 'wind', rms: 0.1 }, 4 * fs, fs, 1);
  t.ok(local, 'wind arises at each mic');
  t.ok(source.every((v) => v === 0), 'nothing reaches the ear through the primary path');
  t.ok(Math.abs(rmsOf(local!.reference) - 0.1) < 1e-6 && Math.abs(rmsOf(local!.error) - 0.1) < 1e-6);
  for (const hz of [30, 60, 120]) {
    const c = coherence(local!.reference, local!.error, hz, fs);
    t.ok(c < 0.2, `coherence ${c.toFixed(3)} at ${hz} Hz`);
  }
  t.ok(spectrumDb(local!.error, 50, fs) - spectrumDb(local!.error, 2000, fs) > 40);
});

t.test('the coherence measure itself sees a shared signal', async (t) => {
  const a = pinkNoise(4 * fs, 0.1, createRandom(1));
  t.ok(coherence(a, a.map((v) => 0.5 * v), 60, fs) > 0.99);
});

import t from 'tap';
import { designBiquad, filterBiquads } from '../../../simulator/acoustics/biquad.ts';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { bandNoise, brownNoise, pinkNoise, whiteNoise } from '../../../simulator/noise/colored-noise.ts';
import { rmsOf } from '../../../simulator/noise/level.ts';
import { spectrumDb } from './spectrum.ts';

const fs = 48000;
// constant-Q band power: flat for pink, +3 dB/octave for white, -3 dB/octave for brown
const bandDb = (x: Float32Array, hz: number) => 20 * Math.log10(rmsOf(filterBiquads([designBiquad({ type: 'bandpass', hz, q: 1.4 }, fs)], x)));
const rise = (x: Float32Array) => bandDb(x, 2000) - bandDb(x, 250); // three octaves

t.test('levels are as requested', async (t) => {
  t.ok(Math.abs(rmsOf(whiteNoise(fs, 0.1, createRandom(1))) - 0.1) < 1e-6);
  t.ok(Math.abs(rmsOf(pinkNoise(fs, 0.1, createRandom(1))) - 0.1) < 1e-6);
  t.ok(Math.abs(rmsOf(brownNoise(fs, 0.1, fs, createRandom(1))) - 0.1) < 1e-6);
  t.ok(Math.abs(rmsOf(bandNoise(fs, 0.05, 100, 400, fs, createRandom(1))) - 0.05) < 1e-6);
});

t.test('spectral slopes: white +3, pink 0, brown -3 dB per octave in constant-Q bands', async (t) => {
  const white = rise(whiteNoise(2 * fs, 0.1, createRandom(2)));
  const pink = rise(pinkNoise(2 * fs, 0.1, createRandom(2)));
  const brown = rise(brownNoise(2 * fs, 0.1, fs, createRandom(2)));
  t.ok(Math.abs(white - 9) < 1.5, `white ${white} dB over 3 octaves`);
  t.ok(Math.abs(pink) < 1.5, `pink ${pink} dB over 3 octaves (about -3 dB/octave in density)`);
  t.ok(Math.abs(brown + 9) < 1.5, `brown ${brown} dB over 3 octaves`);
});

t.test('band noise stays in its band', async (t) => {
  const x = bandNoise(fs, 0.1, 200, 800, fs, createRandom(3));
  const pass = spectrumDb(x, 400, fs);
  t.ok(pass - spectrumDb(x, 4000, fs) > 40);
  t.ok(pass - spectrumDb(x, 30, fs) > 40);
});

t.test('the same seed gives the same noise', async (t) => {
  const a = pinkNoise(1000, 0.1, createRandom(5));
  t.equal(a.join(), pinkNoise(1000, 0.1, createRandom(5)).join());
  t.not(a[10], pinkNoise(1000, 0.1, createRandom(6))[10]);
});

import t from 'tap';
import { designBiquad, filterBiquads } from '../../../simulator/acoustics/biquad.ts';
import { responseAt } from '../../../simulator/acoustics/impulse-response.ts';

const fs = 48000;
const impulse = (n = 4096) => {
  const x = new Float32Array(n);
  x[0] = 1;
  return x;
};
const db = (h: Float32Array, hz: number) => 20 * Math.log10(responseAt(h, hz, fs).magnitude);

t.test('Butterworth low-pass: unity at DC, -3 dB at the corner, silent at Nyquist', async (t) => {
  const h = filterBiquads([designBiquad({ type: 'lowpass', hz: 1000 }, fs)], impulse());
  t.ok(Math.abs(db(h, 0)) < 0.01);
  t.ok(Math.abs(db(h, 1000) + 3.01) < 0.05, `${db(h, 1000)} dB`);
  t.ok(db(h, 23999) < -80);
});

t.test('high-pass mirrors it', async (t) => {
  const h = filterBiquads([designBiquad({ type: 'highpass', hz: 200 }, fs)], impulse(16384));
  t.ok(db(h, 10) < -45, `${db(h, 10)} dB at 10 Hz`);
  t.ok(Math.abs(db(h, 200) + 3.01) < 0.05);
  t.ok(Math.abs(db(h, 10000)) < 0.01);
});

t.test('peaking section gives its gain at the centre and none far away', async (t) => {
  const h = filterBiquads([designBiquad({ type: 'peaking', hz: 2500, q: 1.5, gainDb: 4 }, fs)], impulse());
  t.ok(Math.abs(db(h, 2500) - 4) < 0.01);
  t.ok(Math.abs(db(h, 50)) < 0.05);
});

t.test('high shelf: flat below, its gain above, half of it (in dB) at the corner', async (t) => {
  const h = filterBiquads([designBiquad({ type: 'highshelf', hz: 500, gainDb: -20 }, fs)], impulse());
  t.ok(Math.abs(db(h, 20)) < 0.1, `${db(h, 20)} dB at 20 Hz`);
  t.ok(Math.abs(db(h, 500) + 10) < 0.05, `${db(h, 500)} dB at 500 Hz`);
  t.ok(Math.abs(db(h, 10000) + 20) < 0.1, `${db(h, 10000)} dB at 10 kHz`);
});

t.test('band-pass peaks at 0 dB; cascades multiply', async (t) => {
  const bp = designBiquad({ type: 'bandpass', hz: 1000, q: 2 }, fs);
  const one = filterBiquads([bp], impulse());
  const two = filterBiquads([bp, bp], impulse());
  t.ok(Math.abs(db(one, 1000)) < 0.01);
  t.ok(Math.abs(db(two, 300) - 2 * db(one, 300)) < 0.01);
});

t.test('a corner outside 0..Nyquist is refused', async (t) => {
  t.throws(() => designBiquad({ type: 'lowpass', hz: 24000 }, fs), RangeError);
  t.throws(() => designBiquad({ type: 'lowpass', hz: 0 }, fs), RangeError);
});

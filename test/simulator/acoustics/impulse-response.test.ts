import t from 'tap';
import { cascade, delayed, delayResponse, peakIndex, responseAt, truncate } from '../../../simulator/acoustics/impulse-response.ts';

const fs = 48000;

t.test('an integer delay is one exact unit tap', async (t) => {
  const h = delayResponse(5, 10);
  t.same(Array.from(h), [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
});

t.test('a fractional delay has flat gain and the right phase delay in the audio band', async (t) => {
  const d = 10.3;
  const h = delayResponse(d, 32);
  for (const hz of [100, 1000, 8000]) {
    const { magnitude, phase } = responseAt(h, hz, fs);
    t.ok(Math.abs(magnitude - 1) < 0.01, `gain ${magnitude} at ${hz} Hz`);
    const expected = -((2 * Math.PI * hz * d) / fs);
    const wrapped = Math.atan2(Math.sin(phase - expected), Math.cos(phase - expected));
    t.ok(Math.abs(wrapped) < 0.01, `phase error ${wrapped} rad at ${hz} Hz`);
  }
  t.equal(peakIndex(h), 10);
});

t.test('a delay that does not fit is refused', async (t) => {
  t.throws(() => delayResponse(8, 8), RangeError);
  t.throws(() => delayResponse(-1), RangeError);
});

t.test('cascade is convolution, delayed shifts', async (t) => {
  t.same(Array.from(cascade([1, 2], [1, 0, -1])), [1, 2, -1, -2]);
  t.same(Array.from(delayed([1, 2], 2)), [0, 0, 1, 2]);
  t.equal(cascade([], [1]).length, 0);
});

t.test('truncate keeps the head and tapers the tail to zero', async (t) => {
  const h = new Float32Array(100).fill(1);
  const cut = truncate(h, 40, 8);
  t.equal(cut.length, 40);
  t.equal(cut[31], 1);
  t.ok(cut[32] < 1 && cut[32] > 0.9);
  t.ok(cut[39] < 0.05 && cut[39] > 0);
});

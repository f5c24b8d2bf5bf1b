// The firmware's feature front end against a float64 reference written from docs/model-format.md
// (test/firmware/log-mel-reference.ts), for log-mel and MFCC, every window, decimation 1 and 3,
// in both builds (the SIMD one has its own FFT butterflies).
import t from 'tap';
import { loadFirmware } from '../../firmware/loader.ts';
import { encodeModelBlob, type FeatureSettings } from '../../firmware/model-blob.ts';
import { referenceFrames } from './log-mel-reference.ts';
import { noisySignal, testModel } from './classifier-fixtures.ts';

// Log-mel is compared in absolute terms (natural log: 2e-4 is 0.02 % in energy; measured 4e-5); the firmware
// works in f32 (FFT, filter weights from f32 mel edges) against an f64 DFT. MFCC values sum up
// to 40 log-mel values, so their tolerance scales with that.
const LOG_MEL_TOLERANCE = 2e-4;
const MFCC_TOLERANCE = 1e-3;

const cases: [string, number, Partial<FeatureSettings>][] = [
  ['16 kHz Hann log-mel (decimation 3)', 48000, {}],
  ['48 kHz Hamming, fft 1024, 64 bands (decimation 1)', 48000, { sampleRate: 48000, frameLength: 1024, hopLength: 512, fftSize: 1024, window: 'hamming', melBands: 64, fminHz: 0, fmaxHz: 24000 }],
  ['16 kHz rectangular, frame 300 in fft 512', 16000, { window: 'rect', frameLength: 300, hopLength: 100 }],
  ['16 kHz MFCC 13 of 40 bands', 48000, { mfccCount: 13 }],
  ['8 kHz, fft 16, 2 bands (smallest)', 48000, { sampleRate: 8000, frameLength: 16, hopLength: 8, fftSize: 16, melBands: 2, fminHz: 100, fmaxHz: 4000, contextFrames: 5 }],
];

for (const [name, rate, fs] of cases) for (const variant of ['scalar', 'simd'] as const) {
  t.test(`${name} (${variant})`, async (t) => {
    const model = testModel('dense', 3, fs);
    const fw = loadFirmware({ variant }).init(rate);
    fw.loadModel(encodeModelBlob(model));
    const signal = noisySignal(Math.round(rate * 0.5), rate);
    const hopAnc = model.features.hopLength * (rate / model.features.sampleRate);
    const got = fw.featureFrames(signal, Math.min(fw.maxBlock, hopAnc));
    const want = referenceFrames(signal, rate, model.features);
    t.equal(got.length, want.length, `${want.length} frames`);
    let worst = 0;
    for (let m = 0; m < Math.min(got.length, want.length); m++) {
      for (let k = 0; k < want[m]!.length; k++) worst = Math.max(worst, Math.abs(got[m]![k]! - want[m]![k]!));
    }
    const tol = model.features.mfccCount ? MFCC_TOLERANCE : LOG_MEL_TOLERANCE;
    t.ok(worst <= tol, `max |firmware - float64 reference| = ${worst.toExponential(2)} <= ${tol}`);
    t.equal(fw.status().featureFrames, got.length, 'status counts the frames');
  });
}

// The SIMD build decimates 48 -> 16 kHz four groups at a time and cleans the samples in vectors:
// it must give the scalar build's features bit for bit, NaN, infinities and samples beyond +-1
// included, over blocks of every length (so groups and hops straddle blocks).
t.test('SIMD and scalar front ends agree bit for bit, hostile samples included', async (t) => {
  const model = encodeModelBlob(testModel('dense', 3));
  const signal = noisySignal(48000, 48000);
  for (let i = 0; i < signal.length; i += 997) signal[i] = [Number.NaN, Infinity, -Infinity, 3.5, -7, 1, -1][(i / 997) % 7]!;
  const frames = (variant: 'scalar' | 'simd') => {
    const fw = loadFirmware({ variant }).init(48000);
    fw.loadModel(model);
    const out: Float32Array[] = [];
    for (let at = 0, block = 1; at < signal.length; at += block, block = (block % 61) + 1) out.push(...fw.featureFrames(signal.subarray(at, at + block), block));
    return out;
  };
  const scalar = frames('scalar');
  const simd = frames('simd');
  t.ok(scalar.length >= 90, `${scalar.length} frames`);
  t.same(simd.map((f) => [...f]), scalar.map((f) => [...f]));
});

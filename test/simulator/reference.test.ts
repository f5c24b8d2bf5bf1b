// The float64 reference engine on its own: it identifies a known plant, and its per-block leakage,
// sanitising and limiting do what the firmware documents.
import t from 'tap';
import { ReferenceEngine } from '../../simulator/reference/engine.ts';
import { runClosedLoop, seenSecondaryPath } from '../../simulator/reference/closed-loop.ts';
import { createRandom } from '../../simulator/acoustics/random.ts';

// x white, d(n) = sum h[j] x(n - 1 - j), S = one sample: y(n - 1) cancels d(n) exactly when w = -h
const H = [0.5, -0.3, 0.2, 0.1, -0.05];
function identificationPlant(samples: number) {
  const random = createRandom(7);
  const reference = Float32Array.from({ length: samples }, () => 0.1 * random.gaussian());
  const disturbance = new Float64Array(samples);
  for (let n = 0; n < samples; n++) {
    for (let j = 0; j < H.length && n - 1 - j >= 0; j++) disturbance[n]! += H[j]! * reference[n - 1 - j]!;
  }
  return { reference, disturbance, secondary: Float64Array.of(1) };
}

function distanceToOptimum(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (w[i]! + (H[i] ?? 0)) ** 2;
  return Math.sqrt(s);
}

// plain nlms is left out: it pairs e(n) with x(n) although e(n) only holds y up to n - 1, which
// white noise does not forgive
for (const [algorithm, samples, tolerance] of [['fxlms', 4800, 1e-6], ['rls', 2000, 1e-3]] as const) {
  t.test(`${algorithm} identifies a known plant within ${samples} samples (|w + h| < ${tolerance})`, async (t) => {
    const plant = identificationPlant(samples);
    // block 1: S^ = [0, 1], which is also what the plain algorithms implicitly assume
    const engine = new ReferenceEngine().init(48000).configure({ algorithm, taps: 8, stepSize: 0.05 });
    engine.setSecondaryPath(seenSecondaryPath(plant.secondary, 1));
    runClosedLoop(engine, plant, 1);
    const distance = distanceToOptimum(engine.weights());
    t.ok(distance < tolerance, `|w + h| = ${distance.toExponential(1)}`);
  });
}

t.test('leaky-nlms applies the default leakage 1e-4 once per block as (1 - leak)^frames', async (t) => {
  const engine = new ReferenceEngine().init(48000).configure({ algorithm: 'leaky-nlms', taps: 8, stepSize: 0.05 });
  // nine samples: plain NLMS regresses on the reference one sample late (S^ = [0, 1])
  engine.process(Float32Array.of(0.5, -0.2, 0.3, 0.1, -0.4, 0.2, 0.6, -0.1, 0.3), new Float32Array(9).fill(0.1));
  const before = engine.weights();
  // silence: no update, so only the leakage changes the weights
  engine.process(new Float32Array(64), new Float32Array(64));
  const keep = (1 - Math.fround(1e-4)) ** 64;
  t.ok(before.every((w) => w !== 0), 'the first block adapted every tap');
  t.same(Array.from(engine.weights()), Array.from(before, (w) => w * keep));
});

t.test('input beyond full scale is clamped, NaN zeroed, and counted', async (t) => {
  const engine = new ReferenceEngine().init(48000).configure({ algorithm: 'lms', taps: 4, stepSize: 1 });
  engine.process(Float32Array.of(NaN, 3, -Infinity, 0.5), Float32Array.of(0, 0, 0, 0));
  t.equal(engine.sanitized, 3);
  // the history holds 0, 1, -1, 0.5; plain LMS regresses on it one sample late (S^ = [0, 1]),
  // so one step on a unit error shows it in the weights
  engine.process(Float32Array.of(0), Float32Array.of(1));
  t.same(Array.from(engine.weights()), [-0.5, 1, -1, -0]);
});

t.test('the limiter keeps every output sample within the limit', async (t) => {
  const plant = identificationPlant(4800);
  plant.disturbance.forEach((v, i) => (plant.disturbance[i] = 8 * v));
  const engine = new ReferenceEngine().init(48000).configure({ algorithm: 'fxlms', taps: 8, stepSize: 0.05, limit: 0.25 });
  const { out } = runClosedLoop(engine, plant, 16);
  t.ok(engine.limited > 0, `limited ${engine.limited} samples`);
  t.ok(out.every((v) => Math.abs(v) <= 0.25), 'within 0.25');
});

t.test('parameters outside what the firmware accepts are refused', async (t) => {
  const engine = new ReferenceEngine().init(48000);
  t.throws(() => engine.configure({ algorithm: 'rls', taps: 33 }), RangeError);
  t.throws(() => engine.configure({ algorithm: 'fxlms', taps: 513 }), RangeError);
  t.throws(() => engine.setSecondaryPath([1]), RangeError);
  t.throws(() => engine.process(new Float32Array(257), new Float32Array(257)), RangeError);
});

t.test('S^ tap 0 is ignored, as the firmware clears it: y(n) cannot reach e(n)', async (t) => {
  const plant = identificationPlant(2000);
  const run = (tap0: number) => {
    const engine = new ReferenceEngine().init(48000).configure({ algorithm: 'fxlms', taps: 8, stepSize: 0.05 });
    return runClosedLoop(engine.setSecondaryPath([tap0, 1]), plant, 1).out;
  };
  t.same(Array.from(run(0.7)), Array.from(run(0)));
});

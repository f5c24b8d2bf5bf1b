import t from 'tap';
import { solveCholesky } from '../../simulator/optimum/cholesky.ts';
import { firFilter } from '../../simulator/optimum/fir-filter.ts';
import { errorMicLatency } from '../../simulator/optimum/error-mic-latency.ts';
import { wienerOptimum } from '../../simulator/optimum/wiener-optimum.ts';
import { steadyStateWindow } from '../../simulator/metrics/sample-window.ts';
import { sine, syntheticTrace, whiteNoise } from './synthetic-trace.ts';

const FS = 48000;

t.test('Cholesky solves a symmetric positive definite system', async (t) => {
  const n = 40;
  const m = whiteNoise(n * n, 2);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = i === j ? n : 0;
      for (let k = 0; k < n; k++) sum += m[i * n + k] * m[j * n + k];
      a[i * n + j] = sum;
    }
  }
  const x = whiteNoise(n, 3);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += a[i * n + j] * x[j];
  const solved = solveCholesky(a.slice(), b, n);
  t.ok(solved.every((v, i) => Math.abs(v - x[i]) < 1e-9));
  t.throws(() => solveCholesky(Float64Array.of(1, 2, 2, 1), [1, 1], 2), /not positive definite/);
});

t.test('FIR filter is causal convolution', async (t) => {
  t.same([...firFilter([0, 2, 1], [1, 0, 0, 3])], [0, 2, 1, 0]);
});

t.test('error-mic latency is the lag that lines the mic up with the sound', async (t) => {
  const residual = whiteNoise(FS, 4);
  const hiss = whiteNoise(FS, 5);
  for (const lag of [0, 1, 3]) {
    const errorMic = residual.map((_, n) => (n >= lag ? residual[n - lag] : 0) + 0.1 * hiss[n]);
    t.equal(errorMicLatency({ errorMic, residual }), lag);
  }
});

/** Acoustic part of the secondary path: the anti-noise reaches the mic 3 samples late. */
const ACOUSTIC = [0, 0, 0, 0.6, 0.3, -0.15, 0.05];

/**
 * A world in miniature: the firmware's reference x, a secondary path with one sample of
 * processing delay, two of converters and acoustics and `latency` of error-mic ADC.
 */
function world(x: Float32Array, disturbance: Float32Array, latency = 1, taps = 32) {
  const secondaryPath = Float32Array.from([...new Array(latency).fill(0), ...ACOUSTIC]);
  const residual = disturbance.map((v) => 0.3 * v); // what the "firmware" achieved
  const errorMic = residual.map((_, n) => (n >= latency ? residual[n - latency] : 0));
  return syntheticTrace({ disturbance, residual, reference: x, errorMic, secondaryPath, taps });
}

t.test('a disturbance a causal controller of this length can cancel: the optimum is near perfect', async (t) => {
  const x = whiteNoise(FS, 6);
  const h = Float64Array.from(whiteNoise(20, 7)); // the controller the optimum should find
  const d = Float32Array.from(firFilter(ACOUSTIC, firFilter(h, x)), (v) => -v);
  const trace = world(x, d);
  const optimum = wienerOptimum(trace, steadyStateWindow(trace));
  t.equal(optimum.errorMicLatency, 1);
  t.ok(optimum.attenuationDb > 80, `optimum ${optimum.attenuationDb} dB`);
  t.ok(h.every((v, j) => Math.abs(optimum.weights[j] - v) < 1e-3), 'it finds the controller');
  t.ok(optimum.weights.subarray(20).every((v) => Math.abs(v) < 1e-3));
});

t.test('white noise that arrives before the anti-noise can: the optimum is about 0 dB', async (t) => {
  const x = whiteNoise(FS, 8);
  // the same sound as the anti-noise path gives, 5 samples early: wholly out of a causal reach
  const d = Float32Array.from(firFilter(ACOUSTIC, x).subarray(5), (v) => -v);
  const trace = world(x.subarray(0, d.length), d);
  const optimum = wienerOptimum(trace, steadyStateWindow(trace));
  t.ok(Math.abs(optimum.attenuationDb) < 0.5, `optimum ${optimum.attenuationDb} dB`);
});

t.test('a pure tone is predictable: the optimum is high whatever its phase', async (t) => {
  const x = sine(FS, 200, FS, 0.5);
  const d = sine(FS, 200, FS, 0.2, 2.5);
  const trace = world(x, d, 2);
  const optimum = wienerOptimum(trace, steadyStateWindow(trace));
  t.equal(optimum.errorMicLatency, 2);
  t.ok(optimum.attenuationDb > 60, `optimum ${optimum.attenuationDb} dB`);
});

t.test('a long controller over a long window stays fast enough', async (t) => {
  const x = whiteNoise(6 * FS, 12);
  const d = Float32Array.from(firFilter(ACOUSTIC, x), (v) => -0.5 * v);
  const trace = world(x, d, 1, 512);
  const started = performance.now();
  const optimum = wienerOptimum(trace, steadyStateWindow(trace));
  const ms = performance.now() - started;
  t.ok(optimum.attenuationDb > 80, `optimum ${optimum.attenuationDb} dB`);
  t.ok(ms < 10000, `${ms.toFixed(0)} ms for 512 taps over 1.5 s`);
  t.comment(`512 taps over 1.5 s: ${ms.toFixed(0)} ms`);
});

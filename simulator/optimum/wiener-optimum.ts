// The best any fixed controller of the firmware's length could do on this run: the causal
// Wiener filter. With the true secondary path S, the firmware's reference x and the same
// latencies, it minimises sum over the steady-state window of (d(n) + sum_j w_j r(n - j))^2,
// r = S * x. The gap between this and what the adaptive firmware achieved is what the algorithm
// (step size, misadjustment, tracking) leaves on the table; the optimum itself is what the
// physics (causality, coherence, sensor noise) allows.
import type { RunTrace } from '../trace.ts';
import type { SampleWindow } from '../metrics/sample-window.ts';
import { attenuationDb, meanPower } from '../metrics/signal-power.ts';
import { solveCholesky } from './cholesky.ts';
import { errorMicLatency } from './error-mic-latency.ts';
import { firFilter } from './fir-filter.ts';

/**
 * Diagonal loading, relative to the mean diagonal of the covariance: a pure tone's covariance is
 * rank 2, so without loading the system is singular. At 1e-9 it biases the solution by about a
 * billionth, far below any attenuation a run can show.
 */
export const DIAGONAL_LOADING = 1e-9;

export interface WienerOptimum {
  weights: Float64Array;
  /** The error mic's ADC latency taken off S so the optimum works in acoustic time. */
  errorMicLatency: number;
  /** d + w * r over the window (index 0 is window.start). */
  residual: Float64Array;
  attenuationDb: number;
}

export function wienerOptimum(
  trace: Pick<RunTrace, 'disturbance' | 'residual' | 'reference' | 'errorMic' | 'secondaryPath' | 'taps'>,
  window: SampleWindow,
): WienerOptimum {
  const latency = errorMicLatency(trace);
  const r = firFilter(trace.secondaryPath.subarray(latency), trace.reference);
  const d = trace.disturbance;
  const n = trace.taps;
  const { start, end } = window;
  const at = (i: number) => (i >= 0 ? r[i] : 0);

  // exact covariance R[i][j] = sum_t r(t - i) r(t - j) over the window: the first row directly,
  // then each diagonal step adds the sample entering at the start and drops the one leaving
  const cov = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let t = Math.max(start, j); t < end; t++) sum += r[t] * r[t - j];
    cov[j] = sum;
  }
  for (let i = 0; i + 1 < n; i++) {
    for (let j = i; j + 1 < n; j++) {
      cov[(i + 1) * n + j + 1] = cov[i * n + j] + at(start - 1 - i) * at(start - 1 - j) - at(end - 1 - i) * at(end - 1 - j);
    }
  }
  let traceSum = 0;
  for (let i = 0; i < n; i++) {
    traceSum += cov[i * n + i];
    for (let j = 0; j < i; j++) cov[i * n + j] = cov[j * n + i];
  }
  const loading = (DIAGONAL_LOADING * traceSum) / n || Number.MIN_VALUE;
  for (let i = 0; i < n; i++) cov[i * n + i] += loading;

  // the minimum of sum (d + w * r)^2 solves R w = -p, p_j = sum_t d(t) r(t - j)
  const minusP = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let t = Math.max(start, j); t < end; t++) sum -= d[t] * r[t - j];
    minusP[j] = sum;
  }
  const weights = solveCholesky(cov, minusP, n);

  const residual = new Float64Array(end - start);
  for (let t = start; t < end; t++) {
    let y = 0;
    for (let j = 0, top = Math.min(n, t + 1); j < top; j++) y += weights[j] * r[t - j];
    residual[t - start] = d[t] + y;
  }
  return {
    weights,
    errorMicLatency: latency,
    residual,
    attenuationDb: attenuationDb(meanPower(d, start, end), meanPower(residual)),
  };
}

// Secondary-path identification by least squares: the device plays a known excitation x through
// its speaker and records e at the error mic; S^ minimises sum (e - S^ * x)^2. For a long,
// stationary excitation the normal equations are Toeplitz in x's autocorrelation, so they are
// built in O(N * taps) and solved by Cholesky in O(taps^3), which a headset MCU can afford.

/** Autocorrelation r[k] = sum x[n] x[n-k] and cross-correlation p[k] = sum e[n] x[n-k], k < taps. */
export function correlations(x: Float32Array, e: Float32Array, taps: number, from = 0, to = x.length, acc?: { r: Float64Array; p: Float64Array }) {
  const r = acc?.r ?? new Float64Array(taps);
  const p = acc?.p ?? new Float64Array(taps);
  for (let n = from; n < to; n++) {
    const xn = x[n];
    const en = e[n];
    const kmax = Math.min(taps - 1, n);
    for (let k = 0; k <= kmax; k++) {
      const xk = x[n - k];
      r[k] += xn * xk;
      p[k] += en * xk;
    }
  }
  return { r, p };
}

/** Solves Toeplitz(r) s = p by Cholesky, with a tiny diagonal load so silence cannot break it. */
export function solveToeplitz(r: Float64Array, p: Float64Array): Float32Array {
  const n = r.length;
  const L = new Float64Array(n * n);
  const load = r[0] * 1e-9 + 1e-20;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = r[i - j] + (i === j ? load : 0);
      for (let k = 0; k < j; k++) sum -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-30)) : sum / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = p[i];
    for (let k = 0; k < i; k++) sum -= L[i * n + k] * y[k];
    y[i] = sum / L[i * n + i];
  }
  const s = new Float32Array(n);
  const z = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= L[k * n + i] * z[k];
    z[i] = sum / L[i * n + i];
    s[i] = z[i];
  }
  return s;
}

/** Normalised misalignment 10 log10(|s - s^|^2 / |s|^2), over the longer of the two. */
export function misalignmentDb(truth: ArrayLike<number>, estimate: ArrayLike<number>): number {
  let err = 0;
  let ref = 0;
  for (let i = 0; i < Math.max(truth.length, estimate.length); i++) {
    const t = truth[i] ?? 0;
    const d = t - (estimate[i] ?? 0);
    err += d * d;
    ref += t * t;
  }
  return 10 * Math.log10(err / ref);
}

// Causal FIR filtering: y(n) = sum_k h(k) x(n - k), with silence before the first sample.

export function firFilter(h: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(x.length);
  for (let k = 0; k < h.length; k++) {
    const hk = h[k];
    if (hk === 0) continue;
    for (let n = k; n < x.length; n++) y[n] += hk * x[n - k];
  }
  return y;
}

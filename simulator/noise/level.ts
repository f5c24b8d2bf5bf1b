// Signal level in full-scale RMS: generators are specified by level, whatever their spectrum.

export function rmsOf(x: ArrayLike<number>): number {
  return Math.sqrt(meanSquare(x));
}

/** Scales `x` in place to RMS `rms` (silence stays silent) and returns it. */
export function withRms(x: Float32Array, rms: number): Float32Array {
  const now = rmsOf(x);
  if (now > 0) {
    const g = rms / now;
    for (let i = 0; i < x.length; i++) x[i] *= g;
  }
  return x;
}

/** Adds `b` into `a` in place and returns `a`. */
export function mixInto(a: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}

/** Mean of the squares (power) of `x`. */
export function meanSquare(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return sum / Math.max(1, x.length);
}

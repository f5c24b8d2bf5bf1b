// The vector kernels of the audio path (firmware/assembly/dsp/kernels.ts) in float64, written as
// plain loops: the reference states the arithmetic, the firmware decides how to go fast.
// Windows are given as (array, start index), newest sample first, like the firmware's pointers.

/** sum a[ai + i] * b[bi + i], i < n */
export function dot(a: Float64Array, ai: number, b: Float64Array, bi: number, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += a[ai + i]! * b[bi + i]!;
  return acc;
}

/** The LMS step fused with the filter output: w[i] += g r[i]; returns sum w[i] x[i] with the new w. */
export function updateDot(w: Float64Array, r: Float64Array, x: Float64Array, start: number, n: number, g: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i]! + g * r[start + i]!;
    w[i] = wi;
    acc += wi * x[start + i]!;
  }
  return acc;
}

/** a[i] *= k, i < n */
export function scale(a: Float64Array, n: number, k: number): void {
  for (let i = 0; i < n; i++) a[i]! *= k;
}

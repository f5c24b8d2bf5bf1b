import { RLS_P, RLS_PI, RLS_K } from "../memory-map";
import { dot, scale } from "./kernels";

// Filtered-x RLS for short filters: O(n^2) per sample, converges in a few filter lengths
// whatever the eigenvalue spread of the reference. P is packed with row stride n.

export const RLS_DELTA_INV: f32 = 100; // P starts as I / delta
// Under narrowband excitation P grows by 1/lambda per sample in the unexcited directions
// ("wind-up") until it overflows; capping its trace keeps RLS tracking without a reset.
const RLS_TRACE_PER_TAP_MAX: f32 = 1e3;

export function rlsReset(n: i32): void {
  memory.fill(RLS_P, 0, <usize>(n * n) << 2);
  for (let i = 0; i < n; i++) store<f32>(RLS_P + (<usize>(i * n + i) << 2), RLS_DELTA_INV);
}

// One update of w with regressor u and a posteriori-free error e (e = d + u.w convention, so w
// moves against e). Returns false when the update is numerically unusable; w is then untouched.
export function rlsUpdate(w: usize, u: usize, n: i32, e: f32, lambda: f32): bool {
  const rowBytes = <usize>n << 2;
  let row = RLS_P;
  for (let i = 0; i < n; i++) {
    store<f32>(RLS_PI + (<usize>i << 2), dot(row, u, n));
    row += rowBytes;
  }
  const den = lambda + dot(u, RLS_PI, n);
  if (!(den > 0) || !isFinite(den)) return false;
  const invDen: f32 = 1 / den;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const k = load<f32>(RLS_PI + o) * invDen;
    store<f32>(RLS_K + o, k);
    store<f32>(w + o, load<f32>(w + o) - k * e);
  }
  const invLambda: f32 = 1 / lambda;
  row = RLS_P;
  for (let i = 0; i < n; i++) {
    const ki = load<f32>(RLS_K + (<usize>i << 2));
    for (let j = 0; j < n; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, (load<f32>(p) - ki * load<f32>(RLS_PI + (<usize>j << 2))) * invLambda);
    }
    row += rowBytes;
  }
  return true;
}

// Scales P back when it has wound up. Returns false when P is no longer finite.
export function rlsLimitWindup(n: i32): bool {
  let t: f32 = 0;
  for (let i = 0; i < n; i++) t += load<f32>(RLS_P + (<usize>(i * n + i) << 2));
  if (!isFinite(t)) return false;
  const max = RLS_TRACE_PER_TAP_MAX * <f32>n;
  if (t > max) scale(RLS_P, n * n, max / t);
  return true;
}

import { RLS_P, RLS_PI, RLS_K } from "../memory-map";
import { dot } from "./kernels";

// Filtered-x RLS for short filters: O(n^2) per sample, converges in a few filter lengths
// whatever the eigenvalue spread of the reference. P is packed with row stride n.

export const RLS_DELTA_INV: f32 = 100; // P starts as I / delta
export const RLS_TRACE_MAX: f32 = 1e7; // beyond this P has wound up under poor excitation

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

export function rlsTrace(n: i32): f32 {
  let t: f32 = 0;
  for (let i = 0; i < n; i++) t += load<f32>(RLS_P + (<usize>(i * n + i) << 2));
  return t;
}

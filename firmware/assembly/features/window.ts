import { FE_WINDOW } from "../memory-map";
import { WINDOW_HANN, WINDOW_HAMMING } from "../classifier/blob-layout";

// The analysis window of docs/model-format.md, built once per model in anc_load_model. Periodic
// windows are symmetric, w[n] = w[N - n], so only n = 0 .. N/2 is stored (half the memory).

export function buildWindow(type: u32, n: i32): void {
  const a: f64 = type == WINDOW_HAMMING ? 0.54 : 0.5;
  const b: f64 = type == WINDOW_HAMMING ? 0.46 : 0.5;
  for (let i = 0; i <= n >> 1; i++) {
    const v: f64 = type == WINDOW_HANN || type == WINDOW_HAMMING ? a - b * Math.cos((2 * Math.PI * <f64>i) / <f64>n) : 1;
    store<f32>(FE_WINDOW + (<usize>i << 2), <f32>v);
  }
}

// window value n of a frame of `len` samples
@inline export function windowAt(i: i32, len: i32): f32 {
  const j = i <= len >> 1 ? i : len - i;
  return load<f32>(FE_WINDOW + (<usize>j << 2));
}

import { AncState } from "../state";
import { FD_U, FD_E, FD_POW, FD_R, FD_EB, W_FF } from "../memory-map";
import { fft, realToComplex } from "../dsp/fft";

// fd-fxlms: the anti-noise is still filtered sample by sample in the time domain (no added
// latency), but the coefficients are adapted once per block of L samples from the gradient
// computed in the frequency domain, each bin normalised by its own power. Time-domain NLMS
// normalises by the total power, so on coloured noise (most of it below 500 Hz) its weak bins
// converge thousands of times slower than the strong ones; normalising per bin makes every bin
// converge at the same rate. The FFTs cost O(log N) per sample, less than the LMS update they
// replace. (Overlap-save constrained FDAF, with the delayless structure of Morgan and Thi.)

const POWER_KEEP: f32 = 0.9; // per-bin power smoothing per block
const FLOOR: f32 = 1e-4; // bins weaker than 1e-4 x the mean get no more than 1e4 x the step

export function fdConfigure(s: AncState, taps: i32): void {
  let size = 16;
  while (size < taps << 1) size <<= 1;
  s.fdBlock = size >> 1;
  fdClear(s);
}

export function fdClear(s: AncState): void {
  s.fdPos = 0;
  memory.fill(FD_R, 0, <usize>s.fdBlock << 3);
  memory.fill(FD_POW, 0, <usize>s.fdBlock << 3);
}

// Gathers one sample of the filtered reference and error; adapts at the end of each block.
@inline
export function fdPush(s: AncState, r: f32, ev: f32, taps: i32, mu: f32): void {
  const l = s.fdBlock;
  const k = s.fdPos;
  store<f32>(FD_R + (<usize>(l + k) << 2), r);
  store<f32>(FD_EB + (<usize>k << 2), ev);
  if (k + 1 < l) {
    s.fdPos = k + 1;
    return;
  }
  s.fdPos = 0;
  fdAdapt(l, taps, mu);
}

function fdAdapt(l: i32, taps: i32, mu: f32): void {
  const size = l << 1;
  // spectra of r over two blocks, and of this block's error after a block of zeros, so that
  // their cross-spectrum is the correlation sum_m e(m) r(m - i) for lags 0 .. L-1 (no wrap)
  realToComplex(FD_U, FD_R, size);
  fft(FD_U, size, false);
  memory.fill(FD_E, 0, <usize>l << 3);
  for (let i = 0; i < l; i++) {
    const d = FD_E + (<usize>(l + i) << 3);
    store<f32>(d, load<f32>(FD_EB + (<usize>i << 2)));
    store<f32>(d, 0, 4);
  }
  fft(FD_E, size, false);

  let mean: f32 = 0;
  for (let k = 0; k < size; k++) {
    const u = FD_U + (<usize>k << 3);
    const re = load<f32>(u);
    const im = load<f32>(u, 4);
    const q = FD_POW + (<usize>k << 2);
    const p = load<f32>(q);
    // the first block sets the power instead of averaging it up from zero
    const next = p == 0 ? re * re + im * im : POWER_KEEP * p + (1 - POWER_KEEP) * (re * re + im * im);
    store<f32>(q, next);
    mean += next;
  }
  const floor = (FLOOR * mean) / <f32>size + 1e-30;
  for (let k = 0; k < size; k++) {
    const u = FD_U + (<usize>k << 3);
    const e = FD_E + (<usize>k << 3);
    const ur = load<f32>(u);
    const ui = load<f32>(u, 4);
    const er = load<f32>(e);
    const ei = load<f32>(e, 4);
    const inv: f32 = 1 / (load<f32>(FD_POW + (<usize>k << 2)) + floor);
    // conj(U) E / P
    store<f32>(e, (ur * er + ui * ei) * inv);
    store<f32>(e, (ur * ei - ui * er) * inv, 4);
  }
  fft(FD_E, size, true);
  // keep the causal lags the filter has (the gradient constraint); mu keeps its NLMS meaning
  const step = (mu * <f32>size) / <f32>taps;
  for (let i = 0; i < taps; i++) {
    const w = W_FF + (<usize>i << 2);
    store<f32>(w, load<f32>(w) - step * load<f32>(FD_E + (<usize>i << 3)));
  }
  memory.copy(FD_R, FD_R + (<usize>l << 2), <usize>l << 2);
}

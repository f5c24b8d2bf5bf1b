import { FE_RING, FE_RING_LEN, FE_FFT, FE_FEATURES, FE_MELS, FE_WINDOW } from "../memory-map";
import { ClassifierState } from "../classifier/classifier-state";
import { windowAt } from "./window";
import { realFft, powerAt, power4 } from "./real-fft";
import { melAccumulate } from "./mel-filterbank";
import { dctII } from "./dct";

// Windowed sample i of the frame from ring position r into FE_FFT; returns the next position.
@inline function packOne(i: i32, len: i32, r: i32): i32 {
  store<f32>(FE_FFT + (<usize>i << 2), load<f32>(FE_RING + (<usize>r << 2)) * windowAt(i, len));
  return r + 1 == FE_RING_LEN ? 0 : r + 1;
}

@inline function reversed(v: v128): v128 {
  return f32x4.shuffle(v, v, 3, 2, 1, 0);
}

// One feature frame (docs/model-format.md, "Features"): the frame_length samples of the ring
// starting at `start`, windowed and zero-padded to fft_size; power spectrum; mel filterbank;
// ln(max(E, log_floor)); the DCT for MFCC. The result goes to FE_FEATURES (F values).
export function computeFrame(c: ClassifierState, start: i32): void {
  const len = c.frameLength;
  const n = c.fftSize;
  // pack the windowed frame as n/2 complex values: z[m] = x[2m] + i x[2m+1], zeros after len
  let r = start;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // four samples per step where the ring does not wrap and the window does not turn inside them
    const mid = len >> 1;
    for (; i + 4 <= len; i += 4) {
      if (r + 4 <= FE_RING_LEN && (i + 3 <= mid || i > mid)) {
        const w = i + 3 <= mid ? v128.load(FE_WINDOW + (<usize>i << 2)) : reversed(v128.load(FE_WINDOW + (<usize>(len - i - 3) << 2)));
        v128.store(FE_FFT + (<usize>i << 2), f32x4.mul(v128.load(FE_RING + (<usize>r << 2)), w));
        r += 4;
        if (r == FE_RING_LEN) r = 0;
      } else {
        for (let j = i; j < i + 4; j++) r = packOne(j, len, r);
      }
    }
  }
  for (; i < len; i++) r = packOne(i, len, r);
  memory.fill(FE_FFT + (<usize>len << 2), 0, <usize>(n - len) << 2);
  realFft(n);

  const bands = c.melBands;
  memory.fill(FE_MELS, 0, <usize>bands << 2);
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    melAccumulate(FE_MELS, 0, powerAt(0, n), bands);
    for (k = 1; k + 3 < n >> 1; k += 4) {
      const p = power4(k, n);
      melAccumulate(FE_MELS, k, f32x4.extract_lane(p, 0), bands);
      melAccumulate(FE_MELS, k + 1, f32x4.extract_lane(p, 1), bands);
      melAccumulate(FE_MELS, k + 2, f32x4.extract_lane(p, 2), bands);
      melAccumulate(FE_MELS, k + 3, f32x4.extract_lane(p, 3), bands);
    }
  }
  for (; k <= n >> 1; k++) melAccumulate(FE_MELS, k, powerAt(k, n), bands);

  const floor = c.logFloor;
  const out = c.mfccCount > 0 ? FE_MELS : FE_FEATURES;
  for (let b = 0; b < bands; b++) {
    const e = load<f32>(FE_MELS + (<usize>b << 2));
    store<f32>(out + (<usize>b << 2), Mathf.log(e > floor ? e : floor)); // NaN cannot occur: inputs are sanitised
  }
  if (c.mfccCount > 0) dctII(FE_MELS, FE_FEATURES, bands, c.mfccCount);
}

import { FE_RING, FE_RING_LEN, FE_FFT, FE_FEATURES, FE_MELS } from "../memory-map";
import { ClassifierState } from "../classifier/classifier-state";
import { windowAt } from "./window";
import { realFft, powerAt } from "./real-fft";
import { melAccumulate } from "./mel-filterbank";
import { dctII } from "./dct";

// One feature frame (docs/model-format.md, "Features"): the frame_length samples of the ring
// starting at `start`, windowed and zero-padded to fft_size; power spectrum; mel filterbank;
// ln(max(E, log_floor)); the DCT for MFCC. The result goes to FE_FEATURES (F values).
export function computeFrame(c: ClassifierState, start: i32): void {
  const len = c.frameLength;
  const n = c.fftSize;
  // pack the windowed frame as n/2 complex values: z[m] = x[2m] + i x[2m+1], zeros after len
  let r = start;
  for (let i = 0; i < n; i++) {
    let v: f32 = 0;
    if (i < len) {
      v = load<f32>(FE_RING + (<usize>r << 2)) * windowAt(i, len);
      if (++r == FE_RING_LEN) r = 0;
    }
    store<f32>(FE_FFT + (<usize>i << 2), v);
  }
  realFft(n);

  const bands = c.melBands;
  memory.fill(FE_MELS, 0, <usize>bands << 2);
  for (let k = 0; k <= n >> 1; k++) melAccumulate(FE_MELS, k, powerAt(k, n), bands);

  const floor = c.logFloor;
  const out = c.mfccCount > 0 ? FE_MELS : FE_FEATURES;
  for (let b = 0; b < bands; b++) {
    const e = load<f32>(FE_MELS + (<usize>b << 2));
    store<f32>(out + (<usize>b << 2), Mathf.log(e > floor ? e : floor)); // NaN cannot occur: inputs are sanitised
  }
  if (c.mfccCount > 0) dctII(FE_MELS, FE_FEATURES, bands, c.mfccCount);
}

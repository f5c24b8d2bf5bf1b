import { FE_MEL_W, FE_MEL_SEG } from "../memory-map";

// Triangular mel filters with peak 1 (docs/model-format.md, "Features"): B + 2 edges equally
// spaced on the HTK mel scale from fmin to fmax; band b rises from edge b to its peak at edge
// b + 1 and falls to edge b + 2. Between two edges a bin is on the rising slope of one band and
// the falling slope of the one below, with weights r and 1 - r. So one segment index and one
// weight per FFT bin describe the whole filterbank (2 x 513 entries instead of B x 513), and
// applying it costs two multiply-adds per bin. Built once per model, in anc_load_model.

// Mathf (f32) for the logarithm and the power: the f64 versions would bring about 6 KiB of
// tables into static data; the edges move by about 1e-7 relative, far inside the features' tolerance.
function hzToMel(f: f64): f64 {
  return 2595 * <f64>Mathf.log10(<f32>(1 + f / 700));
}
function melToHz(m: f64): f64 {
  return 700 * (<f64>Mathf.pow(10, <f32>(m / 2595)) - 1);
}

function edge(j: i32, melLo: f64, step: f64): f64 {
  return melToHz(melLo + step * <f64>j);
}

export function buildMelFilterbank(sampleRate: i32, fftSize: i32, bands: i32, fmin: f32, fmax: f32): void {
  const melLo = hzToMel(<f64>fmin);
  const step = (hzToMel(<f64>fmax) - melLo) / <f64>(bands + 1);
  const lastEdge = edge(bands + 1, melLo, step);
  let j = 0; // segment: edge j <= f < edge j + 1
  let lo = edge(0, melLo, step);
  let hi = edge(1, melLo, step);
  for (let k = 0; k <= fftSize >> 1; k++) {
    const f = (<f64>k * <f64>sampleRate) / <f64>fftSize;
    while (j <= bands && f >= hi) {
      j++;
      lo = hi;
      hi = edge(j + 1, melLo, step);
    }
    let seg = j;
    let w: f64 = 0;
    if (f < edge(0, melLo, step) || f >= lastEdge || j > bands) seg = -1;
    else w = (f - lo) / (hi - lo); // hi > f >= lo, so hi > lo
    store<i16>(FE_MEL_SEG + (<usize>k << 1), <i16>seg);
    store<f32>(FE_MEL_W + (<usize>k << 2), <f32>w);
  }
}

// Adds the power p of FFT bin k to the mel energies at `mels`.
@inline export function melAccumulate(mels: usize, k: i32, p: f32, bands: i32): void {
  const seg = <i32>load<i16>(FE_MEL_SEG + (<usize>k << 1));
  if (seg < 0) return;
  const w = load<f32>(FE_MEL_W + (<usize>k << 2));
  if (seg < bands) {
    const a = mels + (<usize>seg << 2);
    store<f32>(a, load<f32>(a) + w * p);
  }
  if (seg > 0) {
    const a = mels + (<usize>(seg - 1) << 2);
    store<f32>(a, load<f32>(a) + (1 - w) * p);
  }
}

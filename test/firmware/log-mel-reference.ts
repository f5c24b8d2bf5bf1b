// A float64 TypeScript reference of the feature front end of docs/model-format.md, written from
// the doc, independently of the firmware's code (direct DFT, one triangle per band): decimation by
// the mean of D samples, frames ending at frame_length + m * hop_length decimated samples,
// periodic window, zero padding, power spectrum, triangular mel filters with peak 1 on B + 2 edges
// equally spaced on the HTK mel scale from fmin to fmax, ln(max(E, floor)), orthonormal DCT-II.
import type { FeatureSettings } from '../../firmware/model-blob.ts';

const hzToMel = (f: number) => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number) => 700 * (10 ** (m / 2595) - 1);

export function decimate(x: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(Math.floor(x.length / d));
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += Math.max(-1, Math.min(1, x[i * d + k]!));
    out[i] = s / d;
  }
  return out;
}

export function referenceFrames(signal: ArrayLike<number>, ancRate: number, fs: FeatureSettings): Float64Array[] {
  const x = decimate(signal, ancRate / fs.sampleRate);
  const { frameLength: len, hopLength: hop, fftSize: n, melBands: bands } = fs;
  const window = Array.from({ length: len }, (_, i) =>
    fs.window === 'rect' ? 1 : (fs.window === 'hann' ? 0.5 : 0.54) - (fs.window === 'hann' ? 0.5 : 0.46) * Math.cos((2 * Math.PI * i) / len));
  const lo = hzToMel(fs.fminHz);
  const edges = Array.from({ length: bands + 2 }, (_, j) => melToHz(lo + ((hzToMel(fs.fmaxHz) - lo) * j) / (bands + 1)));
  const frames: Float64Array[] = [];
  for (let end = len; end <= x.length; end += hop) {
    const frame = Array.from({ length: len }, (_, i) => x[end - len + i]! * window[i]!);
    const power = new Float64Array(n / 2 + 1);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < len; i++) {
        re += frame[i]! * Math.cos((2 * Math.PI * k * i) / n);
        im -= frame[i]! * Math.sin((2 * Math.PI * k * i) / n);
      }
      power[k] = re * re + im * im;
    }
    const logMel = new Float64Array(bands);
    for (let b = 0; b < bands; b++) {
      let e = 0;
      for (let k = 0; k <= n / 2; k++) {
        const f = (k * fs.sampleRate) / n;
        const w = Math.max(0, Math.min((f - edges[b]!) / (edges[b + 1]! - edges[b]!), (edges[b + 2]! - f) / (edges[b + 2]! - edges[b + 1]!)));
        e += w * power[k]!;
      }
      logMel[b] = Math.log(Math.max(e, fs.logFloor));
    }
    frames.push(fs.mfccCount ? dct(logMel, fs.mfccCount) : logMel);
  }
  return frames;
}

function dct(x: Float64Array, count: number): Float64Array {
  const n = x.length;
  return Float64Array.from({ length: count }, (_, k) => {
    let s = 0;
    for (let m = 0; m < n; m++) s += x[m]! * Math.cos((Math.PI * k * (m + 0.5)) / n);
    return s * Math.sqrt((k === 0 ? 1 : 2) / n);
  });
}

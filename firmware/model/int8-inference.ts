// The reference int8 inference: the arithmetic of docs/model-format.md ("Inference arithmetic"),
// step for step, in f32 (Math.fround after every operation, which gives exactly the f32 result
// of each IEEE operation). The firmware's AssemblyScript inference must produce bit-identical
// logits and the same class; softmax scores may differ in the last bits (exp is not exact).
import type { ClassifierModel, Layer } from './model-schema.ts';

const f32 = Math.fround;

export interface InferenceResult {
  /** Last layer's output: f32 logits. */
  logits: Float32Array;
  /** Softmax of the logits if the last layer has softmax, else the logits. */
  scores: Float32Array;
  /** Index of the largest logit, the lowest index on a tie. */
  class: number;
}

/** Round half to even, as wasm's f32.nearest (AssemblyScript `nearest<f32>`). */
export function roundHalfEven(v: number): number {
  if (!Number.isFinite(v)) return v;
  const floor = Math.floor(v);
  const frac = v - floor; // exact for an f32 value
  if (frac < 0.5) return floor;
  if (frac > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Q(v, z, lo) of the doc: v already in output units; NaN gives the zero point. */
export function quantize(v: number, zeroPoint: number, lo: number): number {
  if (Number.isNaN(v)) return zeroPoint;
  const q = f32(roundHalfEven(v) + zeroPoint);
  return q < lo ? lo : q > 127 ? 127 : q;
}

/** Integer accumulators of one layer: acc[e] and the output channel of element e. */
function accumulate(layer: Layer, x: Int32Array, zx: number): { acc: Float64Array; channel: Int32Array } {
  const { type, inSize, outSize, channelsIn: cin, channelsOut: cout, kernel: k, weights: w, bias: b } = layer;
  const acc = new Float64Array(outSize); // holds exact int32 values
  const channel = new Int32Array(outSize);
  if (type === 'dense') {
    for (let o = 0; o < outSize; o++) {
      let s = b[o]!;
      for (let i = 0, row = o * inSize; i < inSize; i++) s += w[row + i]! * (x[i]! - zx);
      acc[o] = s;
      channel[o] = o;
    }
  } else if (type === 'depthwise_conv1d') {
    const stepsOut = outSize / cin;
    for (let t = 0; t < stepsOut; t++) {
      for (let c = 0; c < cin; c++) {
        let s = b[c]!;
        for (let j = 0; j < k; j++) s += w[c * k + j]! * (x[(t + j) * cin + c]! - zx);
        acc[t * cin + c] = s;
        channel[t * cin + c] = c;
      }
    }
  } else {
    const steps = inSize / cin;
    for (let t = 0; t < steps; t++) {
      for (let o = 0; o < cout; o++) {
        let s = b[o]!;
        for (let c = 0; c < cin; c++) s += w[o * cin + c]! * (x[t * cin + c]! - zx);
        acc[t * cout + o] = s;
        channel[t * cout + o] = o;
      }
    }
  }
  return { acc, channel };
}

/**
 * Runs the network on `features`: contextFrames frames of F features (F = mfccCount || melBands),
 * oldest frame first, as the front end produces them (before normalisation). The model must be
 * one `decodeModelBlob` accepted.
 */
export function inferModel(model: ClassifierModel, features: ArrayLike<number>): InferenceResult {
  const { normMean, normScale, contextFrames } = model.features;
  const F = normMean.length;
  if (features.length !== F * contextFrames) throw new RangeError(`expected ${F * contextFrames} features, got ${features.length}`);

  let sx = f32(model.input.scale);
  let zx = model.input.zeroPoint;
  let x = new Int32Array(features.length);
  for (let j = 0; j < features.length; j++) {
    const k = j % F;
    const n = f32(f32(f32(features[j]!) - normMean[k]!) * normScale[k]!);
    x[j] = quantize(f32(n / sx), zx, -128);
  }

  const last = model.layers.length - 1;
  let logits = new Float32Array(0);
  model.layers.forEach((layer, i) => {
    const { acc, channel } = accumulate(layer, x, zx);
    if (i === last) {
      logits = new Float32Array(layer.outSize);
      for (let e = 0; e < layer.outSize; e++) logits[e] = f32(f32(acc[e]!) * f32(sx * layer.weightScale[channel[e]!]!));
      return;
    }
    const sy = f32(layer.outScale);
    const zy = layer.outZeroPoint;
    const lo = layer.activation === 'relu' ? zy : -128;
    const y = new Int32Array(layer.outSize);
    for (let e = 0; e < layer.outSize; e++) {
      const m = f32(f32(sx * layer.weightScale[channel[e]!]!) / sy);
      y[e] = quantize(f32(f32(acc[e]!) * m), zy, lo);
    }
    x = y;
    sx = sy;
    zx = zy;
  });

  let best = 0;
  for (let o = 1; o < logits.length; o++) if (logits[o]! > logits[best]!) best = o;
  const scores = model.layers[last]!.activation === 'softmax' ? softmax(logits, best) : Float32Array.from(logits);
  return { logits, scores, class: best };
}

/** Softmax in f32, shifted by the largest logit (index `max`) so no exp overflows. */
function softmax(logits: Float32Array, max: number): Float32Array {
  const m = logits[max]!;
  const e = logits.map((l) => f32(Math.exp(f32(l - m))));
  let sum = 0;
  for (const v of e) sum = f32(sum + v);
  return e.map((v) => f32(v / sum));
}

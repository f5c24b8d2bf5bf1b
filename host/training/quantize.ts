// Float network -> int8 model blob contents, per docs/model-format.md: weights symmetric per
// output channel (scale = max |w| / 127), biases i32 in units of input scale x weight scale,
// activations asymmetric per tensor with ranges calibrated on training windows.
import type { ClassEntry, ClassifierModel, DecisionSettings, Layer } from '../../firmware/model-blob.ts';
import { forward, type FloatNetwork } from './float-network.ts';
import type { FrontEnd } from './feature-settings.ts';

const f32 = Math.fround;
const BIAS_LIMIT = 2 ** 30;

/** An asymmetric int8 mapping of [lo, hi] (always including 0, so a real 0 is exact). */
export function asymmetricRange(lo: number, hi: number): { scale: number; zeroPoint: number } {
  const l = Math.min(0, lo);
  const h = Math.max(0, hi);
  const scale = f32(Math.max(h - l, 1e-6) / 255);
  return { scale, zeroPoint: Math.max(-128, Math.min(127, Math.round(-128 - l / scale))) };
}

/** The q-th quantile of `values` (sorted copy; q in 0..1). */
function quantile(values: Float64Array, q: number): number {
  const s = values.slice().sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
}

export interface QuantizeInput {
  network: FloatNetwork;
  frontEnd: FrontEnd;
  normMean: number[];
  normScale: number[];
  /** Normalised training windows to calibrate the activation ranges on. */
  calibration: Float32Array[];
  classes: ClassEntry[];
  decision: DecisionSettings;
  version: ClassifierModel['version'];
}

export function quantizeNetwork(q: QuantizeInput): ClassifierModel {
  // The input range clips the rarest 0.01 % at each end: a few outliers would otherwise cost every
  // other value its resolution (they saturate at -128 or 127 instead).
  const inputs = Float64Array.from(q.calibration.flatMap((x) => Array.from(x)));
  const input = asymmetricRange(quantile(inputs, 1e-4), quantile(inputs, 1 - 1e-4));
  const acts = q.calibration.map((x) => forward(q.network, x));
  let sx = input.scale;
  const last = q.network.length - 1;
  const layers: Layer[] = q.network.map((l, n) => {
    // every layer type stores one contiguous row of weights per output channel
    const row = l.w.length / l.channelsOut;
    const weightScale: number[] = [];
    const weights: number[] = new Array<number>(l.w.length);
    const bias: number[] = [];
    for (let o = 0; o < l.channelsOut; o++) {
      let max = 0;
      for (let i = 0; i < row; i++) max = Math.max(max, Math.abs(l.w[o * row + i]!));
      const ws = f32(Math.max(max, 1e-7) / 127);
      weightScale.push(ws);
      for (let i = 0; i < row; i++) weights[o * row + i] = Math.max(-127, Math.min(127, Math.round(l.w[o * row + i]! / ws)));
      bias.push(Math.max(-BIAS_LIMIT, Math.min(BIAS_LIMIT, Math.round(l.b[o]! / f32(sx * ws)))));
    }
    let out = { scale: 0, zeroPoint: 0 };
    if (n < last) {
      // ReLU: [0, max]; a linear layer (a depthwise average) keeps its sign: [min, max]
      let lo = 0;
      let hi = 0;
      for (const a of acts) for (const v of a[n]!) {
        hi = Math.max(hi, v);
        lo = Math.min(lo, v);
      }
      out = asymmetricRange(lo, hi);
      sx = out.scale;
    }
    return {
      type: l.type, activation: n < last ? (l.relu ? 'relu' : 'none') : 'softmax', inSize: l.inSize, outSize: l.outSize,
      channelsIn: l.channelsIn, channelsOut: l.channelsOut, kernel: l.kernel, weights, bias, weightScale,
      outScale: out.scale, outZeroPoint: out.zeroPoint,
    } satisfies Layer;
  });
  return {
    version: q.version,
    features: { ...q.frontEnd, normMean: q.normMean, normScale: q.normScale },
    input,
    classes: q.classes,
    layers,
    decision: q.decision,
  };
}

/** Multiply-adds of one inference (the format's cost rule 15 counts the same). */
export function multiplyAdds(model: ClassifierModel): number {
  return model.layers.reduce((s, l) => s + l.weights.length * (l.type === 'depthwise_conv1d' ? l.outSize / l.channelsIn : l.type === 'pointwise_conv1d' ? l.inSize / l.channelsIn : 1), 0);
}

// Models and signals for the firmware classifier tests: random but valid int8 networks (any i8
// weight is valid, so exact-arithmetic checks need no training), and a seeded noisy signal.
import type { ClassifierModel, FeatureSettings, Layer } from '../../firmware/model-blob.ts';

export const CLASSES = ['quiet', 'traffic', 'aircraft', 'train', 'machinery', 'office', 'babble', 'wind', 'siren', 'alarm', 'horn'];

export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

type Shape = Pick<Layer, 'type' | 'activation' | 'inSize' | 'outSize' | 'channelsIn' | 'channelsOut' | 'kernel'>;

function randomLayer(rand: () => number, shape: Shape, last: boolean): Layer {
  const n = shape.type === 'dense' ? shape.inSize * shape.outSize : shape.type === 'depthwise_conv1d' ? shape.channelsIn * shape.kernel : shape.channelsIn * shape.channelsOut;
  const fanIn = shape.type === 'dense' ? shape.inSize : shape.type === 'depthwise_conv1d' ? shape.kernel : shape.channelsIn;
  return {
    ...shape,
    weights: Array.from({ length: n }, () => Math.floor(rand() * 255) - 127),
    bias: Array.from({ length: shape.channelsOut }, () => Math.floor((rand() - 0.5) * 4000)),
    weightScale: Array.from({ length: shape.channelsOut }, () => Math.fround((0.5 + rand()) / (64 * Math.sqrt(fanIn)))),
    outScale: last ? 0 : Math.fround(0.05 + 0.05 * rand()),
    outZeroPoint: last ? 0 : shape.activation === 'relu' ? -128 : Math.floor(rand() * 40) - 20,
  };
}

export const FEATURES_16K: Omit<FeatureSettings, 'normMean' | 'normScale'> = {
  sampleRate: 16000, frameLength: 400, hopLength: 160, fftSize: 512, window: 'hann', melBands: 40, fminHz: 50, fmaxHz: 8000,
  logFloor: 1e-10, mfccCount: 0, contextFrames: 5, inferInterval: 2,
};

/** A dense 200 -> 64 ReLU -> 11 softmax model ('dense') or a depthwise-separable one ('conv'). */
export function testModel(kind: 'dense' | 'conv', seed: number, features: Partial<FeatureSettings> = {}, version = { major: 1, minor: 2, patch: 3 }): ClassifierModel {
  const rand = seeded(seed);
  const fs = { ...FEATURES_16K, ...features };
  const F = fs.mfccCount || fs.melBands;
  const input = F * fs.contextFrames;
  const C = CLASSES.length;
  const shapes: Shape[] = kind === 'dense'
    ? [
        { type: 'dense', activation: 'relu', inSize: input, outSize: 64, channelsIn: input, channelsOut: 64, kernel: 1 },
        { type: 'dense', activation: 'softmax', inSize: 64, outSize: C, channelsIn: 64, channelsOut: C, kernel: 1 },
      ]
    : [
        { type: 'depthwise_conv1d', activation: 'relu', inSize: input, outSize: (fs.contextFrames - 2) * F, channelsIn: F, channelsOut: F, kernel: 3 },
        { type: 'pointwise_conv1d', activation: 'relu', inSize: (fs.contextFrames - 2) * F, outSize: (fs.contextFrames - 2) * 16, channelsIn: F, channelsOut: 16, kernel: 1 },
        { type: 'dense', activation: 'softmax', inSize: (fs.contextFrames - 2) * 16, outSize: C, channelsIn: (fs.contextFrames - 2) * 16, channelsOut: C, kernel: 1 },
      ];
  return {
    version,
    features: {
      ...fs,
      normMean: Array.from({ length: F }, (_, k) => Math.fround(-6 + 0.05 * k)),
      normScale: Array.from({ length: F }, () => Math.fround(0.3)),
    },
    input: { scale: Math.fround(0.04), zeroPoint: -3 },
    classes: CLASSES.map((label) => ({ label, emergency: ['siren', 'alarm', 'horn'].includes(label), threshold: 0.1 })),
    layers: shapes.map((s, i) => randomLayer(rand, s, i === shapes.length - 1)),
    decision: { smoothingMs: 500, emergencyMinMs: 100, emergencyHoldMs: 1000, emergencyFadeMs: 50 },
  };
}

/** Seeded white noise plus a tone whose frequency and level change, so features and classes move. */
export function noisySignal(length: number, rate: number, seed = 7): Float32Array {
  const rand = seeded(seed);
  const out = new Float32Array(length);
  let phase = 0;
  for (let i = 0; i < length; i++) {
    const t = i / rate;
    phase += (2 * Math.PI * (300 + 2000 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 0.7 * t)))) / rate;
    const level = 0.05 + 0.3 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 0.3 * t));
    out[i] = level * (rand() * 2 - 1) + 0.2 * Math.sin(phase);
  }
  return out;
}

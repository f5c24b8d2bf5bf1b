// A valid model blob of a chosen size for the rollout benchmark: the case is a 64 KiB
// model, and what is measured is delivery, not accuracy. The shipped model's feature settings and
// classes with one dense hidden layer as wide as fits; deterministic weights, so runs compare.
import { decodeModelBlob, encodeModelBlob, LIMITS, type Layer } from '../../firmware/model-blob.ts';

/** The largest blob not over `maxBytes` built on `base`'s features and classes. */
export function sizedModelBlob(base: Uint8Array, maxBytes = LIMITS.maxBlobBytes): Uint8Array {
  const model = decodeModelBlob(base);
  const first = model.layers[0]!;
  const last = model.layers[model.layers.length - 1]!;
  const inputs = first.inSize; // F x context frames for every layer-0 type
  const classes = last.outSize;
  const build = (hidden: number) => encodeModelBlob({ ...model, layers: [hiddenLayer(first, inputs, hidden), outputLayer(last, hidden, classes)] });
  // each hidden unit costs at least inputs + classes weight bytes: start there and narrow
  let hidden = Math.max(1, Math.floor(maxBytes / (inputs + classes)));
  for (;;) {
    try {
      const blob = build(hidden);
      if (blob.length <= maxBytes) return blob;
    } catch {
      // over the format's length limit: one unit narrower
    }
    if (--hidden < 1) throw new Error(`no model of at most ${maxBytes} bytes on these features`);
  }
}

const weights = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * 7919) % 255) - 127);

function hiddenLayer(template: Layer, inputs: number, hidden: number): Layer {
  return {
    type: 'dense', activation: 'relu', inSize: inputs, outSize: hidden, channelsIn: inputs, channelsOut: hidden, kernel: 1,
    weights: weights(inputs * hidden), bias: new Array(hidden).fill(0), weightScale: new Array(hidden).fill(template.weightScale[0] ?? 0.01),
    outScale: template.outScale || 0.05, outZeroPoint: 0,
  };
}

function outputLayer(template: Layer, hidden: number, classes: number): Layer {
  return {
    type: 'dense', activation: 'softmax', inSize: hidden, outSize: classes, channelsIn: hidden, channelsOut: classes, kernel: 1,
    weights: weights(hidden * classes), bias: new Array(classes).fill(0), weightScale: new Array(classes).fill(template.weightScale[0] ?? 0.01),
    outScale: 0, outZeroPoint: 0,
  };
}

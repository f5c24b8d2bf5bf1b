// The hidden layers `anc train --hidden` asks for, and the layer shapes they make over the
// network input (context frames x features, step-major) up to the class scores.
//   64     dense layer of 64 neurons, ReLU (the input is flattened first)
//   pw32   pointwise conv: 32 channels per step from the step's channels, ReLU
//   dw5    depthwise conv: kernel 5 over the steps, per channel, ReLU ("valid": 4 steps fewer)
//   dw     depthwise conv over all the steps left, no activation: a learned weighted average per
//          channel, which makes the layers before it look at every step alike (shift-invariant)
// A dense layer to the classes always ends the network. "pw32,dw5,pw32,dw" is a
// depthwise-separable network: the convolutions weigh each step the same way, so it learns from
// every position of a sound in the context at once, with far fewer weights and multiply-adds than
// a dense layer on all frames.
import type { LayerShape } from './float-network.ts';
import { TrainingError } from './training-error.ts';

export type HiddenLayer =
  | { type: 'dense'; size: number }
  | { type: 'pointwise'; channels: number }
  | { type: 'depthwise'; kernel?: number };

const TOKEN = /^(?:(\d+)|pw(\d+)|dw(\d*))$/;

/** "pw32,dw5,pw32,dw" -> layers; throws a TrainingError ('bad-option') on anything else. */
export function parseHidden(spec: string): HiddenLayer[] {
  return spec.split(',').map((raw) => {
    const token = raw.trim();
    const m = TOKEN.exec(token);
    const n = m ? Number(m[1] ?? m[2] ?? (m[3] || undefined)) : NaN;
    if (!m || (m[3] === undefined && !(n >= 1 && n <= 2048)) || (m[3] && !(n >= 1 && n <= 32))) {
      throw new TrainingError('bad-option', `--hidden "${token}": expected a dense size (1-2048), pw<channels> (1-2048), dw<kernel> (1-32) or dw`);
    }
    if (m[1] !== undefined) return { type: 'dense', size: n };
    if (m[2] !== undefined) return { type: 'pointwise', channels: n };
    return m[3] ? { type: 'depthwise', kernel: n } : { type: 'depthwise' };
  });
}

export const formatHidden = (layers: HiddenLayer[]): string =>
  layers.map((l) => (l.type === 'dense' ? `${l.size}` : l.type === 'pointwise' ? `pw${l.channels}` : `dw${l.kernel ?? ''}`)).join(',');

/** Shapes of the whole network: `steps` frames of `features` in, `classes` scores out. */
export function layerShapes(hidden: HiddenLayer[], features: number, steps: number, classes: number): LayerShape[] {
  const shapes: LayerShape[] = [];
  let t = steps;
  let c = features;
  for (const h of hidden) {
    if (h.type === 'dense') {
      shapes.push({ type: 'dense', inSize: t * c, outSize: h.size, channelsIn: t * c, channelsOut: h.size, kernel: 1, relu: true });
      t = 1;
      c = h.size;
    } else if (h.type === 'pointwise') {
      shapes.push({ type: 'pointwise_conv1d', inSize: t * c, outSize: t * h.channels, channelsIn: c, channelsOut: h.channels, kernel: 1, relu: true });
      c = h.channels;
    } else {
      const k = h.kernel ?? t;
      if (k > t || k > 32) {
        throw new TrainingError('bad-option', `--hidden dw${h.kernel ?? ''}: a kernel of ${k} steps does not fit the ${t} steps left (at most 32)`);
      }
      shapes.push({ type: 'depthwise_conv1d', inSize: t * c, outSize: (t - k + 1) * c, channelsIn: c, channelsOut: c, kernel: k, relu: h.kernel !== undefined });
      t -= k - 1;
    }
  }
  shapes.push({ type: 'dense', inSize: t * c, outSize: classes, channelsIn: t * c, channelsOut: classes, kernel: 1, relu: false });
  const tooBig = shapes.find((s) => s.inSize > 2048 || s.outSize > 2048);
  if (tooBig) throw new TrainingError('bad-option', `--hidden: a layer of ${Math.max(tooBig.inSize, tooBig.outSize)} values exceeds the blob's 2048 per layer`);
  return shapes;
}

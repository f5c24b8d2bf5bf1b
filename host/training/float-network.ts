// The float network `anc train` fits before quantising, built from the blob's three layer types
// (docs/model-format.md, "Layer record"): dense, depthwise conv 1D and pointwise conv 1D over the
// context frames, stored step-major (element t * C + c) with weights laid out as the blob lays
// them out. ReLU or nothing after hidden layers, softmax cross-entropy at the end. Small and
// explicit on purpose (forward, backward, Adam): the models have a few thousand to a few tens of
// thousands of weights, so plain loops in Float64Array train them in minutes.
import type { Random } from '../../simulator/acoustics/random.ts';

export type LayerType = 'dense' | 'depthwise_conv1d' | 'pointwise_conv1d';

export interface LayerShape {
  type: LayerType;
  inSize: number;
  outSize: number;
  channelsIn: number;
  channelsOut: number;
  kernel: number;
  /** ReLU after the layer (hidden layers only; the last layer's logits go to softmax). */
  relu: boolean;
}

export interface FloatLayer extends LayerShape {
  /** dense: outSize x inSize (row per output); depthwise: channels x kernel; pointwise: channelsOut x channelsIn. */
  w: Float64Array;
  /** One per output channel. */
  b: Float64Array;
}

export type FloatNetwork = FloatLayer[];

export const weightCount = (s: LayerShape): number =>
  s.type === 'dense' ? s.inSize * s.outSize : s.type === 'depthwise_conv1d' ? s.channelsIn * s.kernel : s.channelsIn * s.channelsOut;

const fanIn = (s: LayerShape): number => (s.type === 'dense' ? s.inSize : s.type === 'depthwise_conv1d' ? s.kernel : s.channelsIn);

/** He-initialised layers of the given shapes, zero biases. */
export function createNetwork(shapes: LayerShape[], random: Random): FloatNetwork {
  return shapes.map((s) => {
    const std = Math.sqrt(2 / fanIn(s));
    return { ...s, w: new Float64Array(weightCount(s)).map(() => random.gaussian() * std), b: new Float64Array(s.channelsOut) };
  });
}

export function cloneNetwork(net: FloatNetwork): FloatNetwork {
  return net.map((l) => ({ ...l, w: l.w.slice(), b: l.b.slice() }));
}

/** One layer before its activation. */
function layerForward(l: FloatLayer, x: Float64Array): Float64Array {
  const y = new Float64Array(l.outSize);
  const { w, b, channelsIn: cin, channelsOut: cout, kernel: k } = l;
  if (l.type === 'dense') {
    for (let o = 0; o < l.outSize; o++) {
      let s = b[o]!;
      for (let i = 0, row = o * l.inSize; i < l.inSize; i++) s += w[row + i]! * x[i]!;
      y[o] = s;
    }
  } else if (l.type === 'depthwise_conv1d') {
    const steps = l.outSize / cin;
    for (let t = 0; t < steps; t++) {
      for (let c = 0; c < cin; c++) {
        let s = b[c]!;
        for (let j = 0; j < k; j++) s += w[c * k + j]! * x[(t + j) * cin + c]!;
        y[t * cin + c] = s;
      }
    }
  } else {
    const steps = l.inSize / cin;
    for (let t = 0; t < steps; t++) {
      for (let o = 0; o < cout; o++) {
        let s = b[o]!;
        for (let c = 0, row = o * cin, xt = t * cin; c < cin; c++) s += w[row + c]! * x[xt + c]!;
        y[t * cout + o] = s;
      }
    }
  }
  return y;
}

/** Every layer's output (after ReLU where the layer has it; logits on the last). */
export function forward(net: FloatNetwork, x: ArrayLike<number>): Float64Array[] {
  const acts: Float64Array[] = [];
  // one element type in every layer's loops (a Float32Array input would make them polymorphic)
  let input = x instanceof Float64Array ? x : Float64Array.from(x);
  for (const l of net) {
    const y = layerForward(l, input);
    if (l.relu) for (let i = 0; i < y.length; i++) if (y[i]! < 0) y[i] = 0;
    acts.push(y);
    input = y;
  }
  return acts;
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]!);
  const e = Float64Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function predict(net: FloatNetwork, x: ArrayLike<number>): Float64Array {
  return softmax(forward(net, x).at(-1)!);
}

/** Gradient buffers shaped like the network. */
export function zeroGradients(net: FloatNetwork): FloatNetwork {
  return net.map((l) => ({ ...l, w: new Float64Array(l.w.length), b: new Float64Array(l.b.length) }));
}

/** Adds delta's gradient to g; returns the gradient with respect to the input if `dx` is wanted. */
function layerBackward(l: FloatLayer, g: FloatLayer, x: Float64Array, delta: Float64Array, wantDx: boolean): Float64Array | undefined {
  const dx = wantDx ? new Float64Array(l.inSize) : undefined;
  const { w, channelsIn: cin, channelsOut: cout, kernel: k } = l;
  if (l.type === 'dense') {
    for (let o = 0; o < l.outSize; o++) {
      const d = delta[o]!;
      if (d === 0) continue;
      g.b[o]! += d;
      for (let i = 0, row = o * l.inSize; i < l.inSize; i++) {
        g.w[row + i]! += d * x[i]!;
        if (dx) dx[i]! += d * w[row + i]!;
      }
    }
  } else if (l.type === 'depthwise_conv1d') {
    const steps = l.outSize / cin;
    for (let t = 0; t < steps; t++) {
      for (let c = 0; c < cin; c++) {
        const d = delta[t * cin + c]!;
        if (d === 0) continue;
        g.b[c]! += d;
        for (let j = 0; j < k; j++) {
          const e = (t + j) * cin + c;
          g.w[c * k + j]! += d * x[e]!;
          if (dx) dx[e]! += d * w[c * k + j]!;
        }
      }
    }
  } else {
    const steps = l.inSize / cin;
    for (let t = 0; t < steps; t++) {
      for (let o = 0; o < cout; o++) {
        const d = delta[t * cout + o]!;
        if (d === 0) continue;
        g.b[o]! += d;
        for (let c = 0, row = o * cin, xt = t * cin; c < cin; c++) {
          g.w[row + c]! += d * x[xt + c]!;
          if (dx) dx[xt + c]! += d * w[row + c]!;
        }
      }
    }
  }
  return dx;
}

/** Adds the cross-entropy gradient of one example to `grads`; returns its loss. */
export function backward(net: FloatNetwork, grads: FloatNetwork, x: ArrayLike<number>, label: number): number {
  const input = x instanceof Float64Array ? x : Float64Array.from(x);
  const acts = forward(net, input);
  const p = softmax(acts.at(-1)!);
  let delta: Float64Array = p.slice();
  delta[label]! -= 1;
  for (let n = net.length - 1; n >= 0; n--) {
    const dx = layerBackward(net[n]!, grads[n]!, n === 0 ? input : acts[n - 1]!, delta, n > 0);
    if (!dx) break;
    if (net[n - 1]!.relu) {
      const prev = acts[n - 1]!;
      for (let i = 0; i < dx.length; i++) if (prev[i]! <= 0) dx[i] = 0;
    }
    delta = dx;
  }
  return -Math.log(Math.max(p[label]!, 1e-12));
}

/** Adam (Kingma & Ba) with decoupled weight decay on the weights (not the biases). */
export class Adam {
  private readonly m: FloatNetwork;
  private readonly v: FloatNetwork;
  private t = 0;

  constructor(
    net: FloatNetwork,
    public rate = 1e-3,
    private readonly weightDecay = 1e-4,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
  ) {
    this.m = zeroGradients(net);
    this.v = zeroGradients(net);
  }

  /** One step with the gradients summed over `batch` examples. */
  step(net: FloatNetwork, grads: FloatNetwork, batch: number): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    net.forEach((l, n) => {
      const update = (p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, decay: number) => {
        for (let i = 0; i < p.length; i++) {
          const gi = g[i]! / batch;
          m[i] = this.beta1 * m[i]! + (1 - this.beta1) * gi;
          v[i] = this.beta2 * v[i]! + (1 - this.beta2) * gi * gi;
          p[i]! -= this.rate * ((m[i]! / c1) / (Math.sqrt(v[i]! / c2) + 1e-8) + decay * p[i]!);
        }
      };
      update(l.w, grads[n]!.w, this.m[n]!.w, this.v[n]!.w, this.weightDecay);
      update(l.b, grads[n]!.b, this.m[n]!.b, this.v[n]!.b, 0);
    });
  }
}

// The float network `anc train` fits before quantising: dense layers, ReLU between them, softmax
// cross-entropy at the end. Weights are stored as the blob stores them, w[o][i] row per output.
// Small and explicit on purpose (forward, backward, Adam): the model has at most a few tens of
// thousands of weights, so a plain loop in Float64Array trains it in seconds.
import type { Random } from '../../simulator/acoustics/random.ts';

export interface DenseLayer {
  inSize: number;
  outSize: number;
  /** outSize x inSize, row per output neuron. */
  w: Float64Array;
  b: Float64Array;
}

export type DenseNetwork = DenseLayer[];

/** He-initialised layers of the given sizes: [input, hidden..., classes]. */
export function createNetwork(sizes: number[], random: Random): DenseNetwork {
  return sizes.slice(1).map((outSize, i) => {
    const inSize = sizes[i]!;
    const std = Math.sqrt(2 / inSize);
    const w = new Float64Array(outSize * inSize).map(() => random.gaussian() * std);
    return { inSize, outSize, w, b: new Float64Array(outSize) };
  });
}

export function cloneNetwork(net: DenseNetwork): DenseNetwork {
  return net.map((l) => ({ ...l, w: l.w.slice(), b: l.b.slice() }));
}

/** Every layer's output (after ReLU on hidden layers; logits on the last). */
export function forward(net: DenseNetwork, x: ArrayLike<number>): Float64Array[] {
  const acts: Float64Array[] = [];
  let input = x;
  net.forEach((l, n) => {
    const y = new Float64Array(l.outSize);
    for (let o = 0; o < l.outSize; o++) {
      let s = l.b[o]!;
      const row = o * l.inSize;
      for (let i = 0; i < l.inSize; i++) s += l.w[row + i]! * input[i]!;
      y[o] = n < net.length - 1 && s < 0 ? 0 : s;
    }
    acts.push(y);
    input = y;
  });
  return acts;
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]!);
  const e = Float64Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function predict(net: DenseNetwork, x: ArrayLike<number>): Float64Array {
  return softmax(forward(net, x).at(-1)!);
}

/** Gradient buffers shaped like the network. */
export function zeroGradients(net: DenseNetwork): DenseNetwork {
  return net.map((l) => ({ ...l, w: new Float64Array(l.w.length), b: new Float64Array(l.b.length) }));
}

/** Adds the cross-entropy gradient of one example to `grads`; returns its loss. */
export function backward(net: DenseNetwork, grads: DenseNetwork, x: ArrayLike<number>, label: number): number {
  const acts = forward(net, x);
  const p = softmax(acts.at(-1)!);
  let delta = p.slice();
  delta[label]! -= 1;
  for (let n = net.length - 1; n >= 0; n--) {
    const l = net[n]!;
    const g = grads[n]!;
    const input = n === 0 ? x : acts[n - 1]!;
    const next = n > 0 ? new Float64Array(l.inSize) : undefined;
    for (let o = 0; o < l.outSize; o++) {
      const d = delta[o]!;
      if (d === 0) continue;
      g.b[o]! += d;
      const row = o * l.inSize;
      for (let i = 0; i < l.inSize; i++) {
        g.w[row + i]! += d * input[i]!;
        if (next) next[i]! += d * l.w[row + i]!;
      }
    }
    if (next) {
      const prev = acts[n - 1]!;
      for (let i = 0; i < l.inSize; i++) if (prev[i]! <= 0) next[i] = 0; // ReLU
      delta = next;
    }
  }
  return -Math.log(Math.max(p[label]!, 1e-12));
}

/** Adam (Kingma & Ba) with decoupled weight decay on the weights (not the biases). */
export class Adam {
  private readonly m: DenseNetwork;
  private readonly v: DenseNetwork;
  private t = 0;

  constructor(
    net: DenseNetwork,
    public rate = 1e-3,
    private readonly weightDecay = 1e-4,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
  ) {
    this.m = zeroGradients(net);
    this.v = zeroGradients(net);
  }

  /** One step with the gradients summed over `batch` examples. */
  step(net: DenseNetwork, grads: DenseNetwork, batch: number): void {
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

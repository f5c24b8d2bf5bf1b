// Seeded mini-batch training with early stopping: shuffle, Adam steps over batches, then the
// validation loss; the learning rate halves after every 2 epochs without a lower validation loss,
// the best epoch's weights are kept and training stops after `patience` epochs without one.
import { createRandom, type Random } from '../../simulator/acoustics/random.ts';
import { Adam, backward, cloneNetwork, createNetwork, predict, zeroGradients, type FloatNetwork, type LayerShape } from './float-network.ts';

export interface Examples {
  x: Float32Array[];
  y: number[];
}

export interface TrainOptions {
  seed: number;
  /** The network's layers, input to class scores (network-layout.ts). */
  shapes: LayerShape[];
  maxEpochs: number;
  batchSize?: number;
  learningRate?: number;
  patience?: number;
  /** Decoupled weight decay (AdamW). */
  weightDecay?: number;
  /** Returns a perturbed copy of a training input, drawn anew every epoch (augmentation). */
  augment?: (x: Float32Array, random: Random) => Float32Array;
  onEpoch?: (e: EpochResult) => void;
}

export interface EpochResult {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  validationAccuracy: number;
}

export interface TrainResult {
  network: FloatNetwork;
  epochs: EpochResult[];
  bestEpoch: number;
}

export function evaluate(net: FloatNetwork, data: Examples): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  data.x.forEach((x, i) => {
    const p = predict(net, x);
    loss -= Math.log(Math.max(p[data.y[i]!]!, 1e-12));
    let best = 0;
    for (let o = 1; o < p.length; o++) if (p[o]! > p[best]!) best = o;
    if (best === data.y[i]) correct++;
  });
  return { loss: loss / data.x.length, accuracy: correct / data.x.length };
}

export function trainNetwork(train: Examples, validation: Examples, o: TrainOptions): TrainResult {
  const random = createRandom(o.seed);
  const net = createNetwork(o.shapes, random);
  const adam = new Adam(net, o.learningRate ?? 1e-3, o.weightDecay ?? 0.02);
  const batchSize = o.batchSize ?? 32;
  const patience = o.patience ?? 6;
  const order = Array.from(train.x, (_, i) => i);
  const epochs: EpochResult[] = [];
  let best = { loss: Infinity, epoch: 0, net: cloneNetwork(net) };
  for (let epoch = 1; epoch <= o.maxEpochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let trainLoss = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const grads = zeroGradients(net);
      for (const i of batch) trainLoss += backward(net, grads, o.augment ? o.augment(train.x[i]!, random) : train.x[i]!, train.y[i]!);
      adam.step(net, grads, batch.length);
    }
    const v = evaluate(net, validation);
    const result = { epoch, trainLoss: trainLoss / order.length, validationLoss: v.loss, validationAccuracy: v.accuracy };
    epochs.push(result);
    o.onEpoch?.(result);
    if (v.loss < best.loss) best = { loss: v.loss, epoch, net: cloneNetwork(net) };
    else if (epoch - best.epoch >= patience) break;
    else if ((epoch - best.epoch) % 2 === 0) adam.rate /= 2; // plateau: halve the step every 2 epochs without a better loss
  }
  return { network: best.net, epochs, bestEpoch: best.epoch };
}

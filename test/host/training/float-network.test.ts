// The float network's three layer types: the backward pass is the gradient of the forward pass
// (checked against finite differences through dense, pointwise, ReLU and depthwise layers), the
// forward pass is the format's arithmetic (the int8 model quantised from it agrees with it), and
// a depthwise-separable network learns a problem where only the pattern, not its position in
// the context, tells the classes apart.
import t from 'tap';
import { inferModel } from '../../../firmware/model-blob.ts';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { argmax } from '../../../host/training/classification-metrics.ts';
import { DEFAULT_FRONT_END } from '../../../host/training/feature-settings.ts';
import { backward, createNetwork, forward, predict, softmax, zeroGradients } from '../../../host/training/float-network.ts';
import { layerShapes, parseHidden } from '../../../host/training/network-layout.ts';
import { multiplyAdds, quantizeNetwork } from '../../../host/training/quantize.ts';
import { trainNetwork } from '../../../host/training/train-loop.ts';

const F = 4;
const STEPS = 6;

t.test('backward is the gradient of the loss (finite differences)', async (t) => {
  const random = createRandom(4);
  const net = createNetwork(layerShapes(parseHidden('pw5,dw3,pw4,dw,6'), F, STEPS, 3), random);
  net.forEach((l) => l.b.forEach((_, i) => (l.b[i] = 0.1 * random.gaussian())));
  const x = Float64Array.from({ length: F * STEPS }, () => random.gaussian());
  const loss = () => -Math.log(softmax(forward(net, x).at(-1)!)[2]!);
  const grads = zeroGradients(net);
  t.equal(backward(net, grads, x, 2), loss(), 'returns the loss');
  let worst = 0;
  net.forEach((l, n) => {
    for (const [p, g] of [[l.w, grads[n]!.w], [l.b, grads[n]!.b]] as const) {
      for (let i = 0; i < p.length; i += 3) {
        const keep = p[i]!;
        p[i] = keep + 1e-6;
        const up = loss();
        p[i] = keep - 1e-6;
        const down = loss();
        p[i] = keep;
        worst = Math.max(worst, Math.abs((up - down) / 2e-6 - g[i]!));
      }
    }
  });
  t.ok(worst < 1e-5, `largest difference ${worst.toExponential(1)}`);
});

t.test('a depthwise-separable network learns a pattern wherever it sits; int8 follows it', async (t) => {
  const random = createRandom(9);
  // class c: feature c rises for two steps at a random position among the context steps
  const make = (n: number) => {
    const x: Float32Array[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      const at = Math.floor(random.uniform() * (STEPS - 1));
      const v = Float32Array.from({ length: F * STEPS }, () => 0.3 * random.gaussian());
      v[at * F + c]! += 2;
      v[(at + 1) * F + c]! += 2;
      x.push(v);
      y.push(c);
    }
    return { x, y };
  };
  const train = make(600);
  const validation = make(150);
  const shapes = layerShapes(parseHidden('pw8,dw2,pw8,dw'), F, STEPS, 3);
  const fit = trainNetwork(train, validation, { seed: 2, shapes, maxEpochs: 25 });
  const correct = validation.x.filter((x, i) => argmax(predict(fit.network, x)) === validation.y[i]).length;
  t.ok(correct / validation.x.length >= 0.9, `validation accuracy ${correct}/${validation.x.length}`);

  const model = quantizeNetwork({
    network: fit.network, frontEnd: { ...DEFAULT_FRONT_END, melBands: F, contextFrames: STEPS },
    normMean: new Array(F).fill(0), normScale: new Array(F).fill(1), calibration: train.x,
    classes: ['a', 'b', 'c'].map((label) => ({ label, emergency: false, threshold: 0.5 })),
    decision: { smoothingMs: 0, emergencyMinMs: 0, emergencyHoldMs: 0, emergencyFadeMs: 1 }, version: { major: 1, minor: 0, patch: 0 },
  });
  t.same(model.layers.map((l) => `${l.type} ${l.activation}`), ['pointwise_conv1d relu', 'depthwise_conv1d relu', 'pointwise_conv1d relu', 'depthwise_conv1d none', 'dense softmax']);
  t.equal(multiplyAdds(model), STEPS * F * 8 + 5 * 8 * 2 + 5 * 8 * 8 + 8 * 5 + 8 * 3);
  const agree = validation.x.filter((x) => inferModel(model, x).class === argmax(predict(fit.network, x))).length;
  t.ok(agree / validation.x.length >= 0.95, `int8 agrees on ${agree}/${validation.x.length}`);
});

// The pieces of the pipeline alone: splits, metrics, quantisation ranges, the training loop on a
// separable toy problem, and features that are the firmware's own.
import t from 'tap';
import { loadFirmware } from '../../../firmware/loader.ts';
import { inferModel } from '../../../firmware/model-blob.ts';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { classificationMetrics, clipDecision, clipDecisionWithEmergencies } from '../../../host/training/classification-metrics.ts';
import { shuffleSplits } from '../../../host/training/dataset-reader.ts';
import { predict } from '../../../host/training/float-network.ts';
import { DEFAULT_FRONT_END, featureProbeBlob } from '../../../host/training/feature-settings.ts';
import { contextWindows, FirmwareFeatures, normalisation, normalise } from '../../../host/training/feature-extraction.ts';
import { asymmetricRange, multiplyAdds, quantizeNetwork } from '../../../host/training/quantize.ts';
import { trainNetwork } from '../../../host/training/train-loop.ts';
import { formatHidden, layerShapes, parseHidden } from '../../../host/training/network-layout.ts';
import { windowLabel } from '../../../host/training/window-labels.ts';

t.test('splits: seeded, 70/15/15, every split non-empty from 3 clips', async (t) => {
  t.same(shuffleSplits(20, 4), shuffleSplits(20, 4), 'same seed, same split');
  const count = (s: string[], v: string) => s.filter((x) => x === v).length;
  const s = shuffleSplits(20, 4);
  t.same([count(s, 'train'), count(s, 'validation'), count(s, 'held-out')], [14, 3, 3]);
  for (const n of [3, 4, 5]) {
    const small = shuffleSplits(n, 1);
    t.ok(['train', 'validation', 'held-out'].every((v) => small.includes(v as never)), `${n} clips: every split has one`);
  }
});

t.test('metrics: accuracy, precision, recall, confusion', async (t) => {
  const m = classificationMetrics(['a', 'b', 'c'], [0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]);
  t.equal(m.accuracy, 4 / 6);
  t.same(m.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
  t.match(m.perClass[1], { label: 'b', precision: 2 / 3, recall: 1, support: 2 });
  t.equal(clipDecision([[0.6, 0.4], [0.1, 0.9]]), 1, 'a clip is decided by its mean score');
  const classes = [{ emergency: false, threshold: 0.4 }, { emergency: true, threshold: 0.6 }];
  const toot = [[0.9, 0.1], [0.9, 0.1], [0.1, 0.9], [0.1, 0.9], [0.1, 0.9], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1]];
  t.equal(clipDecision(toot), 0, 'the mean misses a short emergency');
  t.equal(clipDecisionWithEmergencies(toot, classes, { intervalMs: 100, smoothingMs: 100, minMs: 100 }), 1, 'the firmware rule catches it');
  t.equal(clipDecisionWithEmergencies(toot, classes, { intervalMs: 100, smoothingMs: 100, minMs: 400 }), 0, 'unless it is shorter than the minimum');
});

t.test('asymmetric ranges keep 0 exact', async (t) => {
  const r = asymmetricRange(0, 10);
  t.equal(r.zeroPoint, -128, 'a ReLU range starts at -128');
  const s = asymmetricRange(-3, 5);
  t.equal(Math.round(-3 / s.scale) + s.zeroPoint, -128);
  t.ok(Math.abs(Math.round(5 / s.scale) + s.zeroPoint - 127) <= 1);
});

t.test('training learns a separable toy problem; int8 follows the float network', async (t) => {
  const random = createRandom(2);
  const fe = { ...DEFAULT_FRONT_END, melBands: 4, contextFrames: 2 };
  const make = (n: number) => {
    const x: Float32Array[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      x.push(Float32Array.from({ length: 8 }, (_, j) => (j % 4 === c ? 2 : 0) + 0.5 * random.gaussian()));
      y.push(c);
    }
    return { x, y };
  };
  const train = make(300);
  const validation = make(60);
  const fit = trainNetwork(train, validation, { seed: 1, shapes: layerShapes([{ type: 'dense', size: 8 }], 8, 1, 3), maxEpochs: 30 });
  const correct = validation.x.filter((x, i) => predict(fit.network, x).indexOf(Math.max(...predict(fit.network, x))) === validation.y[i]).length;
  t.ok(correct / validation.x.length > 0.9, `validation accuracy ${correct}/${validation.x.length}`);
  t.ok(fit.epochs.length <= 30 && fit.bestEpoch >= 1);

  const model = quantizeNetwork({
    network: fit.network, frontEnd: fe, normMean: [0, 0, 0, 0], normScale: [1, 1, 1, 1], calibration: train.x,
    classes: ['a', 'b', 'c'].map((label) => ({ label, emergency: false, threshold: 0.5 })),
    decision: { smoothingMs: 0, emergencyMinMs: 0, emergencyHoldMs: 0, emergencyFadeMs: 1 }, version: { major: 1, minor: 0, patch: 0 },
  });
  t.equal(multiplyAdds(model), 8 * 8 + 8 * 3);
  t.ok(model.layers.every((l) => l.weights.every((w) => w >= -127 && w <= 127)), 'symmetric int8 weights');
  const agree = validation.x.filter((x) => {
    const p = predict(fit.network, x);
    return inferModel(model, x).class === p.indexOf(Math.max(...p));
  }).length;
  t.ok(agree / validation.x.length >= 0.95, `int8 agrees on ${agree}/${validation.x.length}`);
});

t.test('features are the firmware front end\'s own frames', async (t) => {
  const random = createRandom(3);
  const signal = Float32Array.from({ length: 48000 }, () => 0.1 * random.gaussian());
  const frames = new FirmwareFeatures(DEFAULT_FRONT_END).frames(signal, 48000);
  const fw = loadFirmware().init(48000);
  fw.loadModel(featureProbeBlob(DEFAULT_FRONT_END, 2));
  const direct = fw.featureFrames(signal, 960 / 4);
  t.equal(frames.length, direct.length);
  t.same(frames.map((f) => Array.from(f)), direct.map((f) => Array.from(f)), 'bit for bit');
  t.equal(frames[0]!.length, DEFAULT_FRONT_END.melBands);
  const windows = contextWindows(frames, DEFAULT_FRONT_END.contextFrames, DEFAULT_FRONT_END.inferInterval);
  t.equal(windows.length, Math.floor((frames.length - DEFAULT_FRONT_END.contextFrames) / DEFAULT_FRONT_END.inferInterval) + 1);
  t.same(Array.from(windows[0]!.subarray(0, 32)), Array.from(frames[0]!), 'oldest frame first');
  const norm = normalisation(frames, DEFAULT_FRONT_END);
  const n = frames.map((f) => normalise(f, norm.mean, norm.scale));
  const mean0 = n.reduce((s, f) => s + f[0]!, 0) / n.length;
  t.ok(Math.abs(mean0) < 1e-3, 'normalised mean 0');
});

t.test('--hidden layouts: dense, pointwise, depthwise, pooled; refused with a reason', async (t) => {
  t.same(parseHidden('64'), [{ type: 'dense', size: 64 }]);
  t.same(parseHidden('pw32, dw5,pw16,dw'), [{ type: 'pointwise', channels: 32 }, { type: 'depthwise', kernel: 5 }, { type: 'pointwise', channels: 16 }, { type: 'depthwise' }]);
  t.equal(formatHidden(parseHidden('pw32,dw5,dw,64')), 'pw32,dw5,dw,64');
  const shapes = layerShapes(parseHidden('pw16,dw5,dw'), 32, 20, 11);
  t.same(shapes.map((s) => [s.type, s.inSize, s.outSize, s.channelsIn, s.channelsOut, s.kernel, s.relu]), [
    ['pointwise_conv1d', 640, 320, 32, 16, 1, true],
    ['depthwise_conv1d', 320, 256, 16, 16, 5, true],
    ['depthwise_conv1d', 256, 16, 16, 16, 16, false],
    ['dense', 16, 11, 16, 11, 1, false],
  ]);
  for (const bad of ['x', '0', 'pw', 'pw0', 'dw33', '64,,8', '-3', '2049']) {
    t.throws(() => parseHidden(bad), { code: 'bad-option' }, `"${bad}"`);
  }
  t.throws(() => layerShapes(parseHidden('dw21'), 32, 20, 11), { code: 'bad-option', message: /21 steps does not fit the 20/ });
  t.throws(() => layerShapes(parseHidden('pw128'), 32, 20, 11), { code: 'bad-option', message: /2560 values exceeds/ });
});

t.test('window labels: an emergency window hears its sound, else it is the background', async (t) => {
  const fe = DEFAULT_FRONT_END; // a window of frames end-20 .. end-1 spans (end - 20) * 0.02 .. (end - 1) * 0.02 + 0.032 s
  const horn = { classIndex: 10, sound: { active: [[1.0, 1.2]] as [number, number][], backgroundIndex: 1 } };
  t.equal(windowLabel(horn, 20, fe), 1, 'before the toot: traffic');
  t.equal(windowLabel(horn, 60, fe), 10, 'over the whole toot: horn');
  t.equal(windowLabel(horn, 52, fe), -1, 'a sliver of it (0.052 s): left out');
  t.equal(windowLabel(horn, 58, fe), 10, '0.172 s of it: horn');
  t.equal(windowLabel({ classIndex: 10, sound: { active: [[1.0, 1.2]] } }, 20, fe), -1, 'background not a class of the set: left out');
  t.equal(windowLabel({ classIndex: 3 }, 20, fe), 3, 'no sound labels: the clip\'s class');
});

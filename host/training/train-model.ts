// `anc train` end to end: dataset -> firmware features -> float network -> int8 blob -> report.
// Every step is a function of its own file; this one only wires them and measures the result.
import { performance } from 'node:perf_hooks';
import { loadFirmware } from '../../firmware/loader.ts';
import { ModelBlobError, decodeModelBlob, encodeModelBlob, inferModel, type ClassifierModel } from '../../firmware/model-blob.ts';
import { argmax, classificationMetrics, clipDecision, clipDecisionWithEmergencies } from './classification-metrics.ts';
import { readDataset, type Dataset, type Split } from './dataset-reader.ts';
import type { Random } from '../../simulator/acoustics/random.ts';
import { predict } from './float-network.ts';
import { DEFAULT_FRONT_END, featureCount, type FrontEnd } from './feature-settings.ts';
import { contextWindows, FirmwareFeatures, normalisation, normalise, readClip } from './feature-extraction.ts';
import { timeInWasm } from './inference-timing.ts';
import { formatHidden, layerShapes, parseHidden, type HiddenLayer } from './network-layout.ts';
import { multiplyAdds, quantizeNetwork } from './quantize.ts';
import { trainNetwork, type EpochResult } from './train-loop.ts';
import { correctClips, tuneEmergencyThresholds, type ScoredClip } from './threshold-tuning.ts';
import { TrainingError } from './training-error.ts';
import type { TrainingReport } from './training-report.ts';
import { windowLabel } from './window-labels.ts';

export interface TrainModelOptions {
  dir: string;
  seed?: number;
  /** Most epochs (early stopping on the validation loss usually ends sooner). */
  epochs?: number;
  /** Hidden layers (network-layout.ts); default DEFAULT_HIDDEN. */
  hidden?: HiddenLayer[];
  frontEnd?: Partial<FrontEnd>;
  /** At most this many training windows (the stride between them grows to fit). */
  maxTrainWindows?: number;
  /** Skip the wasm timing (tests). */
  timing?: boolean;
  onProgress?: (event: { stage: 'features'; done: number; total: number } | { stage: 'epoch'; epoch: EpochResult }) => void;
}

export interface TrainedModel {
  blob: Uint8Array;
  model: ClassifierModel;
  report: TrainingReport;
}

/** Held-out thresholds: an environment is reported from 0.4, an emergency triggers from 0.6. */
const THRESHOLD = { environment: 0.4, emergency: 0.6 };
const DECISION = { smoothingMs: 300, emergencyMinMs: 100, emergencyHoldMs: 1000, emergencyFadeMs: 50 };
export const TARGET_ACCURACY = 0.97;
export const DEFAULT_EPOCHS = 40;
/** 64 000 windows (a quarter of 400 clips per class): 96.8 % held out where 16 000 gave 94.7 %; each epoch costs 4x. */
export const MAX_TRAIN_WINDOWS = 64000;
export const DEFAULT_HIDDEN: HiddenLayer[] = parseHidden('pw24,dw5,pw24,dw');
const DB = Math.log(10) / 10;

export interface ClipFeatures {
  classIndex: number;
  split: Split;
  path: string;
  sound?: Dataset['clips'][number]['sound'];
  frames: Float32Array[];
}

export function extract(dataset: Dataset, fe: FrontEnd, onProgress: TrainModelOptions['onProgress']): { clips: ClipFeatures[]; sampleRate: number } {
  const features = new FirmwareFeatures(fe);
  let sampleRate: number | undefined;
  const clips = dataset.clips.map((clip, i) => {
    const audio = readClip(clip.path, fe, sampleRate);
    sampleRate ??= audio.sampleRate;
    const frames = features.frames(audio.samples, audio.sampleRate);
    if (frames.length < fe.contextFrames) {
      const need = ((fe.frameLength + (fe.contextFrames - 1) * fe.hopLength) / fe.sampleRate).toFixed(2);
      throw new TrainingError('bad-wav', `${clip.path}: ${(audio.samples.length / audio.sampleRate).toFixed(2)} s is too short; the model needs at least ${need} s of audio`);
    }
    onProgress?.({ stage: 'features', done: i + 1, total: dataset.clips.length });
    return { ...clip, frames };
  });
  return { clips, sampleRate: sampleRate! };
}

/** Each clip of a split with its windows' scores (`clipOf[i]`: the clip of window i, in split order). */
function scoredClips(clips: ClipFeatures[], scores: ArrayLike<number>[], clipOf: number[]): ScoredClip[] {
  const out = clips.map((c) => ({ classIndex: c.classIndex, scores: [] as ArrayLike<number>[] }));
  scores.forEach((s, i) => out[clipOf[i]!]!.scores.push(s));
  return out;
}

export function trainModel(o: TrainModelOptions): TrainedModel {
  const started = performance.now();
  const fe: FrontEnd = { ...DEFAULT_FRONT_END, ...o.frontEnd };
  const dataset = readDataset(o.dir, o.seed ?? 1);
  const { clips, sampleRate } = extract(dataset, fe, o.onProgress);
  return trainOnFeatures(dataset, clips, sampleRate, (performance.now() - started) / 1000, o);
}

/** The rest of `anc train` once the firmware has computed every clip's frames. */
export function trainOnFeatures(dataset: Dataset, clips: ClipFeatures[], sampleRate: number, featureSeconds: number, o: TrainModelOptions): TrainedModel {
  const seed = o.seed ?? 1;
  const fe: FrontEnd = { ...DEFAULT_FRONT_END, ...o.frontEnd };
  const hidden = o.hidden ?? DEFAULT_HIDDEN;
  const labels = dataset.classes.map((c) => c.label);
  const shapes = layerShapes(hidden, featureCount(fe), fe.contextFrames, labels.length);

  const of = (split: Split) => clips.filter((c) => c.split === split);
  const norm = normalisation(of('train').flatMap((c) => c.frames), fe);
  const trainFrames = of('train').reduce((s, c) => s + c.frames.length - fe.contextFrames + 1, 0);
  const stride = Math.max(1, Math.ceil(trainFrames / (o.maxTrainWindows ?? MAX_TRAIN_WINDOWS)));
  // every window with its own label (window-labels.ts); windows left out (-1) are neither trained
  // nor scored per window, but held-out clips are always decided on all their windows
  const examples = (split: Split, step: number) => {
    const x: Float32Array[] = [];
    const y: number[] = [];
    const raw: Float32Array[] = [];
    const clip: number[] = [];
    of(split).forEach((c, n) => {
      contextWindows(c.frames, fe.contextFrames, step).forEach((w, i) => {
        raw.push(w);
        x.push(normalise(w, norm.mean, norm.scale));
        y.push(windowLabel(c, fe.contextFrames + i * step, fe));
        clip.push(n);
      });
    });
    return { x, y, raw, clip };
  };
  const labelled = <T extends { x: Float32Array[]; y: number[] }>(e: T) => ({ x: e.x.filter((_, i) => e.y[i]! >= 0), y: e.y.filter((v) => v >= 0) });
  const train = labelled(examples('train', stride));
  const validationAll = examples('validation', fe.inferInterval);
  const validation = labelled(validationAll);
  const heldOut = examples('held-out', fe.inferInterval);

  // Augmentation: the generator (and real life) varies level by +-6 dB and spectral tilt by +-6 dB
  // around any recording, so every epoch sees each window shifted by a random gain and tilt (in
  // ln-power units: 1 dB = 0.23), which keeps the network from keying on a clip's exact level.
  const F = featureCount(fe);
  const augment = (x: Float32Array, random: Random) => {
    const gain = (random.uniform() * 2 - 1) * 6 * DB;
    const tilt = (random.uniform() * 2 - 1) * 3 * DB;
    const out = new Float32Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const k = j % F;
      out[j] = x[j]! + (gain + tilt * (2 * k / Math.max(1, F - 1) - 1)) * norm.scale[k]!;
    }
    return out;
  };
  const t0 = performance.now();
  const fit = trainNetwork(train, validation, {
    seed, shapes, maxEpochs: o.epochs ?? DEFAULT_EPOCHS, augment: fe.mfccCount ? undefined : augment, onEpoch: (epoch) => o.onProgress?.({ stage: 'epoch', epoch }),
  });
  const trainSeconds = (performance.now() - t0) / 1000;

  // calibrate on up to 2000 training windows spread over the set
  const every = Math.max(1, Math.floor(train.x.length / 2000));
  const calibration = train.x.filter((_, i) => i % every === 0);
  const model = quantizeNetwork({
    network: fit.network, frontEnd: fe, normMean: norm.mean, normScale: norm.scale, calibration,
    classes: dataset.classes.map((c) => ({ label: c.label, emergency: c.emergency, threshold: c.emergency ? THRESHOLD.emergency : THRESHOLD.environment })),
    decision: DECISION, version: { major: 1, minor: 0, patch: 0 },
  });
  // the emergency thresholds from the int8 model's validation clips (threshold-tuning.ts)
  const rule = { intervalMs: (1000 * fe.hopLength * fe.inferInterval) / fe.sampleRate, smoothingMs: DECISION.smoothingMs, minMs: DECISION.emergencyMinMs };
  const validationInt8 = validationAll.raw.map((w) => inferModel(model, w).scores);
  const validationClips = scoredClips(of('validation'), validationInt8, validationAll.clip);
  const before = correctClips(validationClips, model.classes, rule) / validationClips.length;
  const thresholds = tuneEmergencyThresholds(validationClips, model.classes, rule);
  model.classes.forEach((c, k) => (c.threshold = Math.fround(thresholds[k]!)));
  const after = correctClips(validationClips, model.classes, rule) / validationClips.length;
  let blob: Uint8Array;
  try {
    blob = encodeModelBlob(model);
  } catch (e) {
    if (e instanceof ModelBlobError) {
      throw new TrainingError('bad-option', `the trained model does not fit the blob format (${e.message}): use a smaller --hidden than ${formatHidden(hidden)}`);
    }
    throw e;
  }
  const decoded = decodeModelBlob(blob);
  loadFirmware().init(sampleRate).loadModel(blob); // throws FirmwareError if the firmware refuses it

  // held-out: int8 (what ships) and float, per window and per clip
  const floatScores = heldOut.x.map((x) => predict(fit.network, x));
  const int8Scores = heldOut.raw.map((w) => inferModel(decoded, w).scores);
  const perClip = (scores: ArrayLike<number>[], firmwareRule = false) => {
    const clips = scoredClips(of('held-out'), scores, heldOut.clip);
    const predicted = clips.map((c) => (firmwareRule ? clipDecisionWithEmergencies(c.scores, decoded.classes, rule) : clipDecision(c.scores)));
    return classificationMetrics(labels, clips.map((c) => c.classIndex), predicted);
  };
  const scored = heldOut.y.flatMap((y, i) => (y >= 0 ? [i] : []));
  const windowMetrics = (scores: ArrayLike<number>[]) => classificationMetrics(labels, scored.map((i) => heldOut.y[i]!), scored.map((i) => argmax(scores[i]!)));
  const int8Windows = windowMetrics(int8Scores);
  const floatWindows = windowMetrics(floatScores);
  const int8Clips = perClip(int8Scores);
  // the number the target is about: each held-out clip decided as the firmware decides it
  const int8Firmware = perClip(int8Scores, true);
  const floatClips = perClip(floatScores, true);
  const agreement = int8Scores.filter((s, i) => argmax(s) === argmax(floatScores[i]!)).length / int8Scores.length;

  const macs = multiplyAdds(model);
  const inferencesPerSecond = fe.sampleRate / (fe.hopLength * fe.inferInterval);
  const timing = o.timing === false ? undefined : timeInWasm(blob, decoded, 48000 % fe.sampleRate === 0 ? 48000 : fe.sampleRate);
  const last = fit.epochs.find((e) => e.epoch === fit.bestEpoch)!;
  const report: TrainingReport = {
    heldOutAccuracy: int8Firmware.accuracy,
    target: { heldOutAccuracy: TARGET_ACCURACY, met: int8Firmware.accuracy >= TARGET_ACCURACY },
    dataset: {
      dir: o.dir, source: dataset.source, sampleRate, classes: dataset.classes,
      clips: { train: of('train').length, validation: of('validation').length, heldOut: of('held-out').length },
      windows: { train: train.x.length, trainStride: stride, validation: validation.x.length, heldOut: heldOut.x.length },
    },
    features: { ...fe, featureCount: featureCount(fe), contextSeconds: (fe.frameLength + (fe.contextFrames - 1) * fe.hopLength) / fe.sampleRate },
    network: { layers: model.layers.map((l) => `${l.type} ${l.inSize}->${l.outSize} ${l.activation}`), parameters: model.layers.reduce((s, l) => s + l.weights.length + l.bias.length, 0) },
    training: {
      seed, maxEpochs: o.epochs ?? DEFAULT_EPOCHS, epochsRun: fit.epochs.length, bestEpoch: fit.bestEpoch,
      trainLoss: last.trainLoss, validationLoss: last.validationLoss, validationWindowAccuracy: last.validationAccuracy,
      featureSeconds, trainSeconds, history: fit.epochs,
    },
    heldOut: {
      clips: int8Clips, windows: int8Windows, clipsWithEmergencyRule: int8Firmware,
      float: { clipAccuracy: floatClips.accuracy, windowAccuracy: floatWindows.accuracy },
      int8FloatWindowAgreement: agreement,
    },
    decision: {
      smoothingMs: DECISION.smoothingMs, emergencyMinMs: DECISION.emergencyMinMs,
      thresholds: decoded.classes.map((c) => ({ label: c.label, threshold: c.threshold })), validationClipAccuracy: { before, after },
    },
    blob: { bytes: blob.length, weightBytes: model.layers.reduce((s, l) => s + l.weights.length, 0), limitBytes: 65536 },
    cost: {
      multiplyAddsPerInference: macs, inferencesPerSecond, multiplyAddsPerSecond: macs * inferencesPerSecond,
      ...(timing ? { wasm: timing } : {}),
    },
  };
  return { blob, model: decoded, report };
}

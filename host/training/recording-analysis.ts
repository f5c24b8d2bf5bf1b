// A recording through the firmware with a model loaded, as a headset would hear it: the reference
// mic gets the file in blocks, and after every block the status struct says what the classifier
// decided (class above its threshold, or none, and its confidence) and whether the emergency
// detector is raising an emergency. `anc classify` and `anc-sim run --noise` both report this.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EMERGENCY_KINDS, FirmwareError, loadFirmware } from '../../firmware/loader.ts';
import { decodeModelBlob, ModelBlobError, type ClassifierModel } from '../../firmware/model-blob.ts';
import { readWav } from '../../simulator/wav.ts';
import { checkRate } from './feature-extraction.ts';
import { findRecordingLabels, matchDetections, type Detection, type RecordingLabels } from './recording-labels.ts';
import type { ClassSegment, Decision, RecordingReport } from './recording-report.ts';
import { TrainingError } from './training-error.ts';

/** The model `npm run train:default` leaves in the repository. */
export const DEFAULT_MODEL = fileURLToPath(new URL('../../models/default.ancm', import.meta.url));

/** The emergency detector's hop (docs/firmware-abi.md): a block no longer than it skips no frame. */
const EMERGENCY_HOP_SECONDS = 0.008;

export interface Recording {
  file: string;
  sampleRate: number;
  /** Channels in the file; `samples` is the first. */
  channels: number;
  samples: Float32Array;
}

export interface LoadedModel {
  file: string;
  blob: Uint8Array;
  model: ClassifierModel;
}

/** Reads a WAV file; a missing or unreadable path keeps its errno (the CLI names the file problem). */
export function readRecording(file: string): Recording {
  let wav: { sampleRate: number; channels: Float32Array[] };
  try {
    wav = readWav(file);
  } catch (e) {
    if (typeof (e as NodeJS.ErrnoException).code === 'string') throw e;
    throw new TrainingError('bad-wav', `${file}: not a readable WAV file (${(e as Error).message})`);
  }
  const samples = wav.channels[0]!;
  if (samples.length === 0) throw new TrainingError('bad-wav', `${file}: holds no samples`);
  return { file, sampleRate: wav.sampleRate, channels: wav.channels.length, samples };
}

export function readModel(file = DEFAULT_MODEL): LoadedModel {
  const blob = new Uint8Array(readFileSync(file));
  try {
    return { file, blob, model: decodeModelBlob(blob) };
  } catch (e) {
    if (e instanceof ModelBlobError) throw new TrainingError('bad-model', `${file}: model blob refused: ${e.message}`);
    throw e;
  }
}

/** Runs `rec` through a fresh firmware instance with the model loaded and reports what it decided. */
export function analyseRecording(rec: Recording, m: LoadedModel, labels: RecordingLabels = findRecordingLabels(rec.file)): RecordingReport {
  const fe = m.model.features;
  checkRate(rec.file, rec.sampleRate, fe);
  // The classifier and the detector read the reference mic only and the error mic gets silence,
  // so the lightest ANC leaves their results unchanged and the time to them.
  const fw = loadFirmware().init(rec.sampleRate).configure({ algorithm: 'lms', taps: 1 });
  try {
    fw.loadModel(m.blob);
  } catch (e) {
    if (e instanceof FirmwareError) throw new TrainingError('bad-model', `${m.file}: the firmware refused the model: ${e.message}`);
    throw e;
  }
  const rate = rec.sampleRate;
  const hopAnc = fe.hopLength * (rate / fe.sampleRate);
  const block = Math.min(fw.maxBlock, hopAnc, Math.max(1, Math.floor(rate * EMERGENCY_HOP_SECONDS)));
  // inferences run once the context is full, then every infer_interval frames (docs/firmware-abi.md)
  const inferencesUpTo = (frames: number) => (frames < fe.contextFrames ? 0 : Math.floor((frames - fe.contextFrames) / fe.inferInterval) + 1);
  const classes = m.model.classes;
  const ms = (t: number) => Math.round(t * 1000) / 1000;

  const decisions: Decision[] = [];
  const detections: Detection[] = [];
  let frames = 0;
  let open: Detection | null = null;
  for (let i = 0; i < rec.samples.length; i += block) {
    const n = Math.min(block, rec.samples.length - i);
    fw.ref.set(rec.samples.subarray(i, i + n));
    fw.err.fill(0, 0, n);
    fw.processFrames(n);
    const s = fw.status();
    const time = ms((i + n) / rate);
    if (inferencesUpTo(s.featureFrames) > inferencesUpTo(frames)) {
      const c = s.noiseClass >= 0 ? classes[s.noiseClass]! : null;
      decisions.push({ time, class: c?.label ?? null, confidence: Math.round(s.confidence * 1000) / 1000, emergency: !!c?.emergency });
    }
    frames = s.featureFrames;
    const kind = EMERGENCY_KINDS[s.emergencyState] as Detection['kind'] | 'none';
    if (open && open.kind !== kind) {
      open.end = time;
      open = null;
    }
    if (!open && kind !== 'none') {
      open = { kind, start: time, end: null };
      detections.push(open);
    }
  }

  const seconds = ms(rec.samples.length / rate);
  const summary: Record<string, number> = {};
  for (const d of decisions) summary[String(d.class)] = (summary[String(d.class)] ?? 0) + 1;
  const dominant = Object.entries(summary).filter(([k]) => k !== 'null').sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const { events, missed } = matchDetections(detections, labels, fw.getParam('emergencyHoldMs') / 1000);
  const v = m.model.version;
  return {
    file: rec.file,
    sampleRate: rate,
    channels: rec.channels,
    seconds,
    block,
    model: {
      file: m.file,
      version: `${v.major}.${v.minor}.${v.patch}`,
      classes: classes.map((c) => c.label),
      emergencyClasses: classes.filter((c) => c.emergency).map((c) => c.label),
      decisionInterval: (fe.hopLength * fe.inferInterval) / fe.sampleRate,
    },
    decisions,
    segments: classSegments(decisions, seconds),
    summary,
    dominant,
    emergencies: events,
    labels: { file: labels.file, emergencies: labels.emergencies, note: labels.note },
    missed,
  };
}

/** Runs of decisions with the same reported class; each lasts until the next one starts. */
export function classSegments(decisions: Decision[], seconds: number): ClassSegment[] {
  const segments: ClassSegment[] = [];
  let sum = 0;
  for (const d of decisions) {
    const last = segments.at(-1);
    if (last && last.class === d.class) {
      last.decisions++;
      sum += d.confidence;
      last.meanConfidence = Math.round((sum / last.decisions) * 1000) / 1000;
      continue;
    }
    if (last) last.end = d.time;
    sum = d.confidence;
    segments.push({ start: d.time, end: seconds, class: d.class, emergency: d.emergency, decisions: 1, meanConfidence: d.confidence });
  }
  return segments;
}

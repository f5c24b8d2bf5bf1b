// A recording through the firmware with a model loaded, as a headset would hear it: the reference
// mic gets the file, the block is one hop, and after every hop the status struct says what the
// firmware decided (class above its threshold, or none) and how confident it is.
import { loadFirmware } from '../../firmware/loader.ts';
import { decodeModelBlob, ModelBlobError } from '../../firmware/model-blob.ts';
import { readWav } from '../../simulator/wav.ts';
import { checkRate } from './feature-extraction.ts';
import { TrainingError } from './training-error.ts';

export interface Decision {
  /** End of the hop, seconds from the start of the file. */
  time: number;
  /** The reported class, or null (below its threshold, or before the first inference). */
  class: string | null;
  /** Smoothed score of the arg-max class. */
  confidence: number;
  emergency: boolean;
}

export interface Classification {
  file: string;
  sampleRate: number;
  seconds: number;
  model: { version: string; classes: string[] };
  decisions: Decision[];
  /** Hops each class was reported in (null: no class). */
  summary: Record<string, number>;
  /** The class reported most often. */
  dominant: string | null;
}

export function classifyRecording(file: string, blob: Uint8Array): Classification {
  let model;
  try {
    model = decodeModelBlob(blob);
  } catch (e) {
    if (e instanceof ModelBlobError) throw new TrainingError('bad-model', `model blob refused: ${e.message}`);
    throw e;
  }
  let wav: { sampleRate: number; channels: Float32Array[] };
  try {
    wav = readWav(file);
  } catch (e) {
    if (typeof (e as NodeJS.ErrnoException).code === 'string') throw e;
    throw new TrainingError('bad-wav', `${file}: not a readable WAV file (${(e as Error).message})`);
  }
  const fe = model.features;
  checkRate(file, wav.sampleRate, { ...fe });
  const fw = loadFirmware().init(wav.sampleRate).loadModel(blob);
  const labels = model.classes.map((c) => c.label);
  const samples = wav.channels[0]!;
  const block = Math.min(fw.maxBlock, fe.hopLength * (wav.sampleRate / fe.sampleRate));
  const decisions: Decision[] = [];
  let frames = 0;
  for (let i = 0; i < samples.length; i += block) {
    const n = Math.min(block, samples.length - i);
    fw.ref.set(samples.subarray(i, i + n));
    fw.err.fill(0, 0, n);
    fw.processFrames(n);
    const s = fw.status();
    if (s.featureFrames === frames) continue;
    frames = s.featureFrames;
    const label = s.noiseClass >= 0 ? labels[s.noiseClass]! : null;
    decisions.push({ time: (i + n) / wav.sampleRate, class: label, confidence: s.confidence, emergency: s.noiseClass >= 0 && model.classes[s.noiseClass]!.emergency });
  }
  const summary: Record<string, number> = {};
  for (const d of decisions) summary[String(d.class)] = (summary[String(d.class)] ?? 0) + 1;
  const dominant = Object.entries(summary).filter(([k]) => k !== 'null').sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const v = model.version;
  return { file, sampleRate: wav.sampleRate, seconds: samples.length / wav.sampleRate, model: { version: `${v.major}.${v.minor}.${v.patch}`, classes: labels }, decisions, summary, dominant };
}

// Features through the firmware: each clip is run through a fresh firmware state with a feature
// probe loaded, so the frames are the wasm front end's own (decimation, window, FFT, mel, log),
// never a TypeScript copy. Then context windows (the network's input, oldest frame first) and the
// per-feature normalisation statistics of the training frames.
import { loadFirmware, type Firmware } from '../../firmware/loader.ts';
import { readWav } from '../../simulator/wav.ts';
import { featureCount, featureProbeBlob, type FrontEnd } from './feature-settings.ts';
import { TrainingError } from './training-error.ts';

/** Reads a clip's first channel; every clip of a dataset must share one rate the front end divides. */
export function readClip(path: string, fe: FrontEnd, expectedRate?: number): { samples: Float32Array; sampleRate: number } {
  let wav: { sampleRate: number; channels: Float32Array[] };
  try {
    wav = readWav(path);
  } catch (e) {
    const errno = e as NodeJS.ErrnoException;
    if (typeof errno.code === 'string') throw e; // ENOENT, EACCES: the CLI names the file problem
    throw new TrainingError('bad-wav', `${path}: not a readable WAV file (${(e as Error).message})`);
  }
  const { sampleRate } = wav;
  if (expectedRate !== undefined && sampleRate !== expectedRate) {
    throw new TrainingError('sample-rate', `${path}: sample rate ${sampleRate} Hz differs from the dataset's ${expectedRate} Hz (the first clip's); resample every clip to one rate`);
  }
  checkRate(path, sampleRate, fe);
  return { samples: wav.channels[0]!, sampleRate };
}

export function checkRate(path: string, sampleRate: number, fe: FrontEnd): void {
  if (!(sampleRate % fe.sampleRate === 0 && sampleRate >= fe.sampleRate && sampleRate <= 192000)) {
    throw new TrainingError('sample-rate', `${path}: sample rate ${sampleRate} Hz is not a whole multiple of the model's ${fe.sampleRate} Hz front end (use 16, 32 or 48 kHz)`);
  }
}

/** Runs the firmware's front end over one signal: its feature frames, F values each. */
export class FirmwareFeatures {
  private readonly fw: Firmware = loadFirmware();
  private readonly probe: Uint8Array;

  constructor(private readonly fe: FrontEnd) {
    this.probe = featureProbeBlob(fe, 2);
  }

  frames(samples: Float32Array, sampleRate: number): Float32Array[] {
    // A fresh state per clip (anc_init clears everything), the lightest ANC so the time goes to
    // the front end; the classifier reads the reference mic, never the ANC's output.
    this.fw.init(sampleRate).configure({ algorithm: 'lms', taps: 1 }).loadModel(this.probe);
    const hopAnc = this.fe.hopLength * (sampleRate / this.fe.sampleRate);
    return this.fw.featureFrames(samples, Math.min(this.fw.maxBlock, hopAnc));
  }
}

/**
 * The network inputs of one clip: every window of `contextFrames` consecutive frames whose last
 * frame is a multiple of `stride` after the first full window, as flat F x context vectors.
 */
export function contextWindows(frames: Float32Array[], contextFrames: number, stride: number): Float32Array[] {
  const out: Float32Array[] = [];
  if (frames.length === 0) return out;
  const F = frames[0]!.length;
  for (let end = contextFrames; end <= frames.length; end += stride) {
    const w = new Float32Array(F * contextFrames);
    for (let t = 0; t < contextFrames; t++) w.set(frames[end - contextFrames + t]!, t * F);
    out.push(w);
  }
  return out;
}

/** Per-feature mean and 1 / standard deviation over all frames given (as f32, the blob's width). */
export function normalisation(frames: Float32Array[], fe: FrontEnd): { mean: number[]; scale: number[] } {
  const F = featureCount(fe);
  const sum = new Float64Array(F);
  const sq = new Float64Array(F);
  for (const f of frames) for (let k = 0; k < F; k++) sum[k] += f[k]!;
  const mean = Array.from(sum, (s) => s / frames.length);
  for (const f of frames) for (let k = 0; k < F; k++) sq[k] += (f[k]! - mean[k]!) ** 2;
  const scale = Array.from(sq, (s) => Math.fround(1 / Math.max(Math.sqrt(s / frames.length), 1e-3)));
  return { mean: mean.map(Math.fround), scale };
}

/** Applies the normalisation exactly as the firmware does (f32 operations), into a new array. */
export function normalise(window: Float32Array, mean: number[], scale: number[]): Float32Array {
  const F = mean.length;
  const f32 = Math.fround;
  const out = new Float32Array(window.length);
  for (let j = 0; j < window.length; j++) out[j] = f32(f32(window[j]! - mean[j % F]!) * scale[j % F]!);
  return out;
}

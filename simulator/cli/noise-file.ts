// A recording to use as the noise source, with errors a person can act on.
import { existsSync } from 'node:fs';
import type { Recording } from '../../host/training/recording-analysis.ts';
import { readWav, resampleLinear } from '../wav.ts';
import { SAMPLE_RATE } from '../world.ts';

/** The file's first channel at the world's 48 kHz (linear interpolation if it differs). */
export function readNoiseFile(path: string): Recording {
  if (!existsSync(path)) throw new Error(`noise file not found: ${path}`);
  let wav: { sampleRate: number; channels: Float32Array[] };
  try {
    wav = readWav(path);
  } catch (error) {
    throw new Error(`cannot read noise file ${path} as WAV: ${(error as Error).message}`);
  }
  const first = wav.channels[0]!;
  if (first.length === 0) throw new Error(`noise file ${path} holds no samples`);
  return { file: path, sampleRate: SAMPLE_RATE, channels: wav.channels.length, samples: resampleLinear(first, wav.sampleRate, SAMPLE_RATE) };
}

// A recording to use as the noise source, with errors a person can act on.
import { existsSync } from 'node:fs';
import { readMonoAt } from '../wav.ts';
import { SAMPLE_RATE } from '../world.ts';

export function readNoiseFile(path: string): Float32Array {
  if (!existsSync(path)) throw new Error(`noise file not found: ${path}`);
  let noise: Float32Array;
  try {
    noise = readMonoAt(path, SAMPLE_RATE);
  } catch (error) {
    throw new Error(`cannot read noise file ${path} as WAV: ${(error as Error).message}`);
  }
  if (noise.length === 0) throw new Error(`noise file ${path} holds no samples`);
  return noise;
}

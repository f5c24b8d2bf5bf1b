// WAV files in and out (node-wav): noise recordings and measured impulse responses come in,
// listening copies of a run go out.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// node-wav is CommonJS without type declarations; this is the part of it used here
interface NodeWav {
  decode(buffer: ArrayBuffer): { sampleRate: number; channelData: Float32Array[] } | undefined;
  encode(channels: Float32Array[], options: { sampleRate: number; float: boolean; bitDepth: number }): Buffer;
}
const wav = createRequire(import.meta.url)('node-wav') as NodeWav;

export function readWav(path: string): { sampleRate: number; channels: Float32Array[] } {
  const file = readFileSync(path);
  // node-wav misreads a Buffer that starts inside Node's shared pool (it scans to the Buffer's length
  // from its offset), so it gets an ArrayBuffer of exactly the file
  const decoded = wav.decode(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
  if (!decoded?.channelData.length) throw new Error(`${path}: no audio data`);
  return { sampleRate: decoded.sampleRate, channels: decoded.channelData };
}

/** Writes 32-bit float samples (exact), or 16-bit PCM for players that want it. */
export function writeWav(path: string, sampleRate: number, channels: Float32Array[], format: 'float32' | 'pcm16' = 'float32'): void {
  if (channels.length === 0) throw new Error(`${path}: nothing to write`);
  const float = format === 'float32';
  writeFileSync(path, wav.encode(channels, { sampleRate, float, bitDepth: float ? 32 : 16 }));
}

/** The first channel at `sampleRate`, resampled by linear interpolation if the file differs. */
export function readMonoAt(path: string, sampleRate: number): Float32Array {
  const { sampleRate: rate, channels } = readWav(path);
  return resampleLinear(channels[0], rate, sampleRate);
}

export function resampleLinear(x: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return x;
  const out = new Float32Array(Math.floor(((x.length - 1) * to) / from) + 1);
  for (let i = 0; i < out.length; i++) {
    const pos = (i * from) / to;
    const k = Math.floor(pos);
    const frac = pos - k;
    out[i] = k + 1 < x.length ? x[k] + frac * (x[k + 1] - x[k]) : x[k];
  }
  return out;
}

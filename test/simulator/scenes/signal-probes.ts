// Test helper (not a test file): what a listener would check in a scene signal. The dominant
// frequency over time (short FFT frames), the level envelope, and on/off stretches.
import FFT from 'fft.js';

/** Frequency of the strongest FFT bin (parabolically refined) of each frame of `size`, every `hop` samples. */
export function dominantTrack(x: Float32Array, sampleRate: number, size = 1024, hop = 256, fromHz = 100): number[] {
  const fft = new FFT(size);
  const out: number[] = fft.createComplexArray();
  const frame = new Float64Array(size);
  const track: number[] = [];
  const first = Math.ceil((fromHz * size) / sampleRate);
  for (let at = 0; at + size <= x.length; at += hop) {
    for (let i = 0; i < size; i++) frame[i] = x[at + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
    fft.realTransform(out, frame);
    const p = (k: number) => out[2 * k] ** 2 + out[2 * k + 1] ** 2;
    let best = first;
    for (let k = first; k < size / 2; k++) if (p(k) > p(best)) best = k;
    const [a, b, c] = [Math.log(p(best - 1) + 1e-30), Math.log(p(best) + 1e-30), Math.log(p(best + 1) + 1e-30)];
    const shift = a - 2 * b + c === 0 ? 0 : (0.5 * (a - c)) / (a - 2 * b + c);
    track.push(((best + shift) * sampleRate) / size);
  }
  return track;
}

/** RMS in dB of consecutive frames of `frameSeconds`. */
export function envelopeDb(x: Float32Array, sampleRate: number, frameSeconds = 0.005): number[] {
  const n = Math.round(frameSeconds * sampleRate);
  const env: number[] = [];
  for (let at = 0; at + n <= x.length; at += n) {
    let s = 0;
    for (let i = at; i < at + n; i++) s += x[i] * x[i];
    env.push(10 * Math.log10(s / n + 1e-30));
  }
  return env;
}

/** Lengths in seconds of the alternating on/off runs of an envelope cut at `thresholdDb` below its peak. */
export function onOffRuns(env: number[], frameSeconds: number, thresholdDb = 20): { on: boolean; seconds: number }[] {
  const peak = Math.max(...env);
  const runs: { on: boolean; seconds: number }[] = [];
  for (const e of env) {
    const on = e > peak - thresholdDb;
    if (runs.length && runs[runs.length - 1].on === on) runs[runs.length - 1].seconds += frameSeconds;
    else runs.push({ on, seconds: frameSeconds });
  }
  return runs;
}

/** Times per second `track` crosses `level` upwards. */
export function upCrossingsPerSecond(track: number[], level: number, framesPerSecond: number): number {
  let n = 0;
  for (let i = 1; i < track.length; i++) if (track[i - 1] < level && track[i] >= level) n++;
  return (n * framesPerSecond) / track.length;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/** Power in dB at `hz` (Goertzel over the Hann-windowed whole of x). */
export function powerDbAt(x: Float32Array, hz: number, sampleRate: number): number {
  const w = (2 * Math.PI * hz) / sampleRate;
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / x.length));
    re += v * Math.cos(w * i);
    im -= v * Math.sin(w * i);
  }
  return 10 * Math.log10((re * re + im * im) / x.length ** 2 + 1e-30);
}

/** Bit-for-bit equality (tap's deep compare of long typed arrays is far too slow). */
export function sameSamples(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

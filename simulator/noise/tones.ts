// Steady sinusoids: hum, whine, and the tonal part of machinery noise.

export interface Tone {
  hz: number;
  amplitude: number;
  /** Radians at sample 0; default 0. */
  phase?: number;
}

export function tones(list: readonly Tone[], length: number, sampleRate: number): Float32Array {
  const out = new Float32Array(length);
  for (const t of list) {
    const w = (2 * Math.PI * t.hz) / sampleRate;
    const phase = t.phase ?? 0;
    for (let i = 0; i < length; i++) out[i] += t.amplitude * Math.sin(w * i + phase);
  }
  return out;
}

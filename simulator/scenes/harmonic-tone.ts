// A tone whose fundamental follows a frequency contour, with a fixed stack of harmonics: the
// voice of sirens, horns and alarm buzzers. The phase is integrated sample by sample, so sweeps,
// steps between two notes and Doppler shifts never click.

/**
 * `hz[i]` is the fundamental at sample i; `harmonics[k]` the amplitude of harmonic k + 1. A
 * harmonic that would pass 0.45 of the sample rate at the contour's highest frequency is left out
 * (no aliasing at any rate the dataset is rendered at).
 */
export function harmonicTone(hz: Float64Array, harmonics: readonly number[], sampleRate: number, startPhase = 0): Float32Array {
  let top = 0;
  for (let i = 0; i < hz.length; i++) top = Math.max(top, hz[i]);
  const count = harmonics.findIndex((_, k) => (k + 1) * top > 0.45 * sampleRate);
  const used = harmonics.slice(0, count < 0 ? harmonics.length : count);
  const out = new Float32Array(hz.length);
  let phase = startPhase;
  for (let i = 0; i < hz.length; i++) {
    let v = 0;
    for (let k = 0; k < used.length; k++) v += used[k] * Math.sin((k + 1) * phase);
    out[i] = v;
    phase += (2 * Math.PI * hz[i]) / sampleRate;
    if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
  }
  return out;
}

/** Raised-cosine fade in over `attack` and out over `release` samples, in place, for a sounding stretch. */
export function shapeEdges(x: Float32Array, start: number, end: number, attack: number, release: number): void {
  const span = end - start;
  const a = Math.min(attack, span / 2);
  const r = Math.min(release, span / 2);
  for (let k = 0; k < a; k++) x[start + k] *= 0.5 - 0.5 * Math.cos((Math.PI * k) / a);
  for (let k = 0; k < r; k++) x[end - 1 - k] *= 0.5 - 0.5 * Math.cos((Math.PI * k) / r);
}

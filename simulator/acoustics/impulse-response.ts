// Finite impulse responses: how the headset's paths are assembled (delays, cascades, truncation)
// and measured (response at a frequency). An acoustic path in the world is one of these.

/**
 * A delay of `samples` (may be fractional) as a windowed-sinc FIR of `length` taps. Integer
 * delays come out as one exact unit tap, so latencies stay sample-exact.
 */
export function delayResponse(samples: number, length = Math.ceil(samples) + 16): Float32Array {
  if (!(samples >= 0) || length <= samples) throw new RangeError(`delay ${samples} does not fit in ${length} taps`);
  const h = new Float32Array(length);
  if (Number.isInteger(samples)) {
    h[samples] = 1;
    return h;
  }
  // Hann-windowed sinc spanning +-HALF taps around the delay; taps before 0 are lost, which only
  // matters for delays under HALF samples and then costs a little high-frequency accuracy
  const HALF = 8;
  for (let k = 0; k < length; k++) {
    const t = k - samples;
    if (Math.abs(t) >= HALF) continue;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    h[k] = sinc * (0.5 + 0.5 * Math.cos((Math.PI * t) / HALF));
  }
  return h;
}

/** Full linear convolution: the response of two paths in series. */
export function cascade(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  if (a.length === 0 || b.length === 0) return new Float32Array(0);
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    if (ai === 0) continue;
    for (let j = 0; j < b.length; j++) out[i + j] += ai * b[j];
  }
  return Float32Array.from(out);
}

/** `h` cut to `length` taps, the last `fade` of them tapered by a half Hann so the cut adds no click. */
export function truncate(h: Float32Array, length: number, fade = Math.min(32, Math.floor(length / 4))): Float32Array {
  const out = h.slice(0, length);
  const start = out.length - fade;
  for (let k = Math.max(0, start); k < out.length; k++) {
    out[k] *= 0.5 + 0.5 * Math.cos((Math.PI * (k - start + 1)) / (fade + 1));
  }
  return out;
}

/** `h` delayed by a whole number of samples. */
export function delayed(h: ArrayLike<number>, samples: number): Float32Array {
  const out = new Float32Array(samples + h.length);
  out.set(h, samples);
  return out;
}

/** Complex response of `h` at `hz`: magnitude (linear) and phase (radians). */
export function responseAt(h: ArrayLike<number>, hz: number, sampleRate: number): { magnitude: number; phase: number } {
  const w = (2 * Math.PI * hz) / sampleRate;
  let re = 0;
  let im = 0;
  for (let k = 0; k < h.length; k++) {
    re += h[k] * Math.cos(w * k);
    im -= h[k] * Math.sin(w * k);
  }
  return { magnitude: Math.hypot(re, im), phase: Math.atan2(im, re) };
}

/** Index of the tap with the largest magnitude: where a path's main arrival lands. */
export function peakIndex(h: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < h.length; k++) if (Math.abs(h[k]) > Math.abs(h[best])) best = k;
  return best;
}

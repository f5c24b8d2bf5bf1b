// Test helper (not a test file): Hann-windowed DFT power at one frequency, averaged over segments.
import { responseAt } from '../../../simulator/acoustics/impulse-response.ts';

export function spectrumDb(x: Float32Array, hz: number, sampleRate: number, size = 4096): number {
  let sum = 0;
  let count = 0;
  for (let at = 0; at + size <= x.length; at += size, count++) {
    const seg = x.slice(at, at + size).map((v, i) => v * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size)));
    sum += responseAt(seg, hz, sampleRate).magnitude ** 2;
  }
  return 10 * Math.log10(sum / count);
}

/** Magnitude-squared coherence of a and b at hz (Welch, Hann segments). */
export function coherence(a: Float32Array, b: Float32Array, hz: number, sampleRate: number, size = 4096): number {
  let sab = [0, 0];
  let saa = 0;
  let sbb = 0;
  const w = (len: number) => 2 * Math.PI * hz / sampleRate * len;
  for (let at = 0; at + size <= a.length; at += size / 2) {
    let ar = 0, ai = 0, br = 0, bi = 0;
    for (let k = 0; k < size; k++) {
      const win = 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / size);
      const c = Math.cos(w(k)), s = Math.sin(w(k));
      ar += win * a[at + k] * c; ai -= win * a[at + k] * s;
      br += win * b[at + k] * c; bi -= win * b[at + k] * s;
    }
    sab = [sab[0] + ar * br + ai * bi, sab[1] + ai * br - ar * bi];
    saa += ar * ar + ai * ai;
    sbb += br * br + bi * bi;
  }
  return (sab[0] ** 2 + sab[1] ** 2) / (saa * sbb);
}

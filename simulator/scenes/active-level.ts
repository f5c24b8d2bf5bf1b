// Level over the stretches where a sound actually sounds. An alarm is silent between pulses and a
// horn between presses; averaging over those silences would understate its level, so levels and
// SNRs in simulator/scenes/ are taken over the active stretches only.
import type { SampleWindow } from '../metrics/sample-window.ts';

/** Mean square of `x` over `active` (0 when nothing is active). */
export function activePower(x: ArrayLike<number>, active: readonly SampleWindow[]): number {
  let sum = 0;
  let n = 0;
  for (const w of active) for (let i = w.start; i < w.end; i++, n++) sum += x[i] * x[i];
  return n > 0 ? sum / n : 0;
}

/** Scales `x` in place so that its RMS over `active` is `rms` (silence stays silent), and returns it. */
export function scaleToActiveRms(x: Float32Array, active: readonly SampleWindow[], rms: number): Float32Array {
  const p = activePower(x, active);
  if (p > 0) {
    const g = rms / Math.sqrt(p);
    for (let i = 0; i < x.length; i++) x[i] *= g;
  }
  return x;
}

/** `active` moved later by `offset` samples and cut to [0, length). */
export function shiftWindows(active: readonly SampleWindow[], offset: number, length: number): SampleWindow[] {
  return active
    .map((w) => ({ start: Math.max(0, w.start + offset), end: Math.min(length, w.end + offset) }))
    .filter((w) => w.end > w.start);
}

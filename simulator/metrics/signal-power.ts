// Power and the decibel ratio every attenuation figure is built from.

/** Mean square of x[start, end). */
export function meanPower(x: ArrayLike<number>, start = 0, end = x.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += x[i] * x[i];
  return end > start ? sum / (end - start) : 0;
}

// Below this, a power is silence; it keeps 0/0 at 0 dB rather than NaN.
const SILENCE = 1e-30;

/** 10 log10(before / after): positive when `after` is quieter. */
export function attenuationDb(powerBefore: number, powerAfter: number): number {
  return 10 * Math.log10((powerBefore + SILENCE) / (powerAfter + SILENCE));
}

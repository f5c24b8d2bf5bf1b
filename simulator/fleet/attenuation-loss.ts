// The intensity at which the module attenuates `lossDb` less than it does now: the fault of a
// bundle that installs fine but cancels worse, done through the module itself, so the loss shows
// in the telemetry it measures.
//
// Model: with intensity i the anti-noise is i times the converged one, so the residual is the
// uncancelled part (1 - i) of the noise plus i times the converged residual, which is mostly
// uncorrelated with the noise (hiss, what the filter cannot predict). In power, relative to the
// noise: P(i) = (1 - i)^2 + i^2 q, where q is the residual at full intensity. The measured
// attenuation at the current intensity gives q; the wanted one gives P, and the root near the
// current intensity is the answer. Asked for 3 dB, the telemetry of a running headset showed
// 3.17 dB on the cabin scenario and 3.06 dB on tone (test/simulator/fleet/ota-faults.test.ts).

/** Clamped to 0..current: a loss never raises the intensity. */
export function intensityForLoss(measuredDb: number, currentIntensity: number, lossDb: number): number {
  const i0 = Math.min(1, Math.max(0, currentIntensity));
  if (!(lossDb > 0) || !Number.isFinite(measuredDb) || i0 === 0) return i0;
  const p0 = 10 ** (-measuredDb / 10);
  const q = Math.max(0, (p0 - (1 - i0) ** 2) / (i0 * i0));
  const p1 = Math.min(1, p0 * 10 ** (lossDb / 10));
  // (1 + q) i^2 - 2 i + (1 - p1) = 0; the smaller root is the one on the cancelling side of 1
  const a = 1 + q;
  const disc = 1 - a * (1 - p1);
  if (disc < 0) return i0;
  return Math.min(i0, Math.max(0, (1 - Math.sqrt(disc)) / a));
}

// The secondary-path model S^ the firmware is given, as a calibration would have measured it: the
// true path cut to the firmware's model length, optionally with a known relative error.
import { meanSquare } from '../noise/level.ts';
import type { Random } from './random.ts';

/**
 * `truePath` cut to `taps`, plus seeded white noise scaled so ||S^ - S_cut|| = relativeError * ||S_cut||
 * (identification noise spreads over all taps, the delay taps included).
 */
export function estimateSecondaryPath(truePath: Float32Array, taps: number, relativeError: number, random: Random): Float32Array {
  const estimate = truePath.slice(0, Math.max(2, Math.min(taps, truePath.length)));
  if (relativeError <= 0) return estimate;
  const noise = Float64Array.from(estimate, () => random.gaussian());
  const scale = relativeError * Math.sqrt(meanSquare(estimate) / meanSquare(noise));
  for (let k = 0; k < estimate.length; k++) estimate[k] += scale * noise[k];
  return estimate;
}

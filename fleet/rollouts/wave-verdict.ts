// Whether a wave may advance, must wait, or broke its thresholds. Failures count against the
// wave's whole size as they arrive, so a wave that can no longer stay under its failure rate is
// stopped at once rather than after its slowest device.
import type { WavePlanConfig } from './rollout-config.ts';

export interface WaveCounts {
  size: number;
  succeeded: number;
  /** failed, rolled back, or timed out */
  failed: number;
  /** cancelled jobs count neither way */
  cancelled: number;
}

export type WaveVerdict = { kind: 'waiting' } | { kind: 'passed' } | { kind: 'breach'; reason: string };

export function judgeWave(wave: Pick<WavePlanConfig, 'minSuccesses' | 'maxFailureRate'>, counts: WaveCounts): WaveVerdict {
  const { size, succeeded, failed, cancelled } = counts;
  if (size > 0 && failed / size > wave.maxFailureRate) {
    return { kind: 'breach', reason: `${failed} of ${size} jobs failed (${((failed / size) * 100).toFixed(1)}%), above the wave's ${(wave.maxFailureRate * 100).toFixed(1)}%` };
  }
  const pending = size - succeeded - failed - cancelled;
  if (pending > 0) return { kind: 'waiting' };
  // A wave smaller than its minimum needs every device to succeed.
  const needed = Math.min(wave.minSuccesses, size - cancelled);
  if (succeeded < needed) return { kind: 'breach', reason: `${succeeded} successes, the wave needs ${needed}` };
  return { kind: 'passed' };
}

// How attenuation builds up over a run, and when it reaches its steady state.
import { attenuationDb } from './signal-power.ts';

export interface ConvergenceCurve {
  blockSeconds: number;
  /** Start of each block in seconds. */
  startSeconds: Float64Array;
  /** Attenuation over each block (from its powers, not an average of dB). */
  attenuationDb: Float64Array;
  /** Blocks pooled, centred, into each point of the smoothed curve. */
  smoothingBlocks: number;
  /** Attenuation over the powers of the surrounding blocks: what convergence is judged on. */
  smoothedDb: Float64Array;
}

export const DEFAULT_BLOCK_SECONDS = 0.05;
/**
 * Five 50 ms blocks: low-frequency broadband noise (a cabin's rumble) swings a 50 ms block's
 * attenuation by +-5 dB at steady state, more than the 3 dB tolerance; pooling 250 ms halves that.
 * Pooling powers weighs the worse blocks most, so it can lag a sudden convergence by up to two
 * blocks: times err late rather than early.
 */
export const DEFAULT_SMOOTHING_BLOCKS = 5;

/** Attenuation over consecutive whole blocks (a trailing partial block is left out). */
export function convergenceCurve(
  disturbance: ArrayLike<number>,
  residual: ArrayLike<number>,
  sampleRate: number,
  blockSeconds = DEFAULT_BLOCK_SECONDS,
  smoothingBlocks = DEFAULT_SMOOTHING_BLOCKS,
): ConvergenceCurve {
  const block = Math.max(1, Math.round(blockSeconds * sampleRate));
  const count = Math.floor(disturbance.length / block);
  const before = new Float64Array(count);
  const after = new Float64Array(count);
  for (let i = 0; i < count * block; i++) {
    before[Math.floor(i / block)] += disturbance[i] * disturbance[i];
    after[Math.floor(i / block)] += residual[i] * residual[i];
  }
  const half = Math.floor(smoothingBlocks / 2);
  const smoothedDb = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    let sumBefore = 0;
    let sumAfter = 0;
    for (let k = Math.max(0, b - half); k <= Math.min(count - 1, b + half); k++) {
      sumBefore += before[k];
      sumAfter += after[k];
    }
    smoothedDb[b] = attenuationDb(sumBefore, sumAfter);
  }
  return {
    blockSeconds: block / sampleRate,
    startSeconds: Float64Array.from({ length: count }, (_, b) => (b * block) / sampleRate),
    attenuationDb: before.map((p, b) => attenuationDb(p, after[b])),
    smoothingBlocks: 2 * half + 1,
    smoothedDb,
  };
}

/**
 * Seconds from `fromSeconds` to the end of the first block (starting at or after it) where the
 * smoothed curve comes within `toleranceDb` of the steady-state attenuation, provided it never
 * again falls more than `relapseDb` short of it; null otherwise. On broadband noise whose low
 * end wanders (brown noise, babble), a converged canceller's 250 ms attenuation still swings by
 * a couple of dB, so "stays within 3 dB" would time the noise, not the canceller; a relapse of
 * more than 6 dB is a canceller that lost its way. Doing better than the steady state counts as
 * converged: the question is when the canceller got there.
 */
export function convergenceSeconds(
  curve: ConvergenceCurve,
  steadyStateDb: number,
  fromSeconds = 0,
  toleranceDb = 3,
  relapseDb = 6,
): number | null {
  let converged: number | null = null;
  for (let b = 0; b < curve.startSeconds.length; b++) {
    if (curve.startSeconds[b] < fromSeconds - 1e-9) continue;
    const short = steadyStateDb - curve.smoothedDb[b];
    if (short > relapseDb) converged = null;
    else if (short <= toleranceDb) converged ??= curve.startSeconds[b] + curve.blockSeconds - fromSeconds;
  }
  return converged;
}

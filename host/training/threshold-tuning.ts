// The emergency thresholds, chosen on the validation clips. An emergency class triggers when its
// smoothed score holds its threshold (classification-metrics.ts, the firmware's rule); a fixed 0.6
// misses low-SNR sounds the network does hear (their scores stay at 0.4-0.6), a low one lets
// a background's tone trigger. Which trade is best depends on the trained network, so each
// emergency class takes the threshold that decides the most validation clips right, the others
// held, for a few rounds; held-out clips never take part.
import { clipDecisionWithEmergencies, type DecisionRule } from './classification-metrics.ts';

export interface ScoredClip {
  classIndex: number;
  /** The int8 model's scores, one per inference, in time order. */
  scores: ArrayLike<number>[];
}

export interface ThresholdClass {
  emergency: boolean;
  threshold: number;
}

/** Thresholds tried: 0.35 to 0.9 in steps of 0.05. */
export const THRESHOLD_GRID: readonly number[] = Array.from({ length: 12 }, (_, i) => Math.round((0.35 + 0.05 * i) * 100) / 100);
const ROUNDS = 3;

export function correctClips(clips: ScoredClip[], classes: ThresholdClass[], rule: DecisionRule): number {
  return clips.reduce((n, c) => n + (clipDecisionWithEmergencies(c.scores, classes, rule) === c.classIndex ? 1 : 0), 0);
}

/**
 * Per emergency class, the threshold of THRESHOLD_GRID that decides the most clips right; of equally
 * good ones the middle of the run (the widest margin both ways). Environment thresholds are kept.
 */
export function tuneEmergencyThresholds(clips: ScoredClip[], classes: ThresholdClass[], rule: DecisionRule): number[] {
  const current = classes.map((c) => ({ ...c }));
  for (let round = 0; round < ROUNDS; round++) {
    let changed = false;
    current.forEach((c, k) => {
      if (!c.emergency) return;
      const counts = THRESHOLD_GRID.map((threshold) => correctClips(clips, current.map((d, j) => (j === k ? { ...d, threshold } : d)), rule));
      const best = Math.max(...counts);
      const ties = THRESHOLD_GRID.filter((_, i) => counts[i] === best);
      const pick = ties[Math.floor((ties.length - 1) / 2)]!;
      if (pick !== c.threshold) {
        c.threshold = pick;
        changed = true;
      }
    });
    if (!changed) break;
  }
  return current.map((c) => c.threshold);
}

// Held-out scores of a classifier: accuracy, per-class precision and recall, and the confusion
// matrix (rows: true class, columns: predicted class).
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  /** Examples of this class. */
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  count: number;
  perClass: ClassMetrics[];
  /** confusion[true][predicted] */
  confusion: number[][];
}

export function classificationMetrics(labels: string[], truth: number[], predicted: number[]): ClassificationMetrics {
  const C = labels.length;
  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  truth.forEach((t, i) => confusion[t]![predicted[i]!]!++);
  const correct = labels.reduce((s, _, c) => s + confusion[c]![c]!, 0);
  const perClass = labels.map((label, c) => {
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, row) => a + row[c]!, 0);
    return { label, precision: predictedAs ? confusion[c]![c]! / predictedAs : 0, recall: support ? confusion[c]![c]! / support : 0, support };
  });
  return { accuracy: truth.length ? correct / truth.length : 0, count: truth.length, perClass, confusion };
}

export const argmax = (p: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
};

/** A clip's decision: the class of the mean score over its windows (what the firmware's smoothing tends to). */
export function clipDecision(scores: ArrayLike<number>[]): number {
  const mean = new Float64Array(scores[0]!.length);
  for (const s of scores) for (let i = 0; i < mean.length; i++) mean[i] += s[i]!;
  return argmax(mean);
}

export interface DecisionRule {
  /** Time between inferences. */
  intervalMs: number;
  smoothingMs: number;
  minMs: number;
}

/**
 * A clip's decision by the firmware's rule (docs/model-format.md, "Decisions"): scores smoothed with
 * time constant `smoothingMs`; an emergency class that is the reported class (the arg-max of the
 * smoothed scores, at or above its threshold) for `minMs` wins (the first to trigger); otherwise
 * the class of the mean score.
 */
export function clipDecisionWithEmergencies(scores: ArrayLike<number>[], classes: { emergency: boolean; threshold: number }[], o: DecisionRule): number {
  const alpha = o.smoothingMs === 0 ? 1 : 1 - Math.exp(-o.intervalMs / o.smoothingMs);
  const smoothed = Float64Array.from(scores[0]!);
  const above = new Float64Array(classes.length);
  for (let n = 0; n < scores.length; n++) {
    if (n > 0) for (let c = 0; c < classes.length; c++) smoothed[c] += alpha * (scores[n]![c]! - smoothed[c]!);
    const top = argmax(smoothed);
    for (let c = 0; c < classes.length; c++) {
      if (!classes[c]!.emergency) continue;
      above[c] = c === top && smoothed[c]! >= classes[c]!.threshold ? above[c]! + o.intervalMs : 0;
      if (above[c]! >= Math.max(o.minMs, o.intervalMs)) return c;
    }
  }
  return clipDecision(scores);
}

// The emergency thresholds chosen on validation clips, and the firmware rule they feed.
import t from 'tap';
import { clipDecisionWithEmergencies } from '../../../host/training/classification-metrics.ts';
import { correctClips, THRESHOLD_GRID, tuneEmergencyThresholds, type ScoredClip } from '../../../host/training/threshold-tuning.ts';

const rule = { intervalMs: 100, smoothingMs: 0, minMs: 100 };
const classes = [{ emergency: false, threshold: 0.4 }, { emergency: true, threshold: 0.6 }, { emergency: false, threshold: 0.4 }];
/** A clip that opens on its background (class 0), then scores `top` for the emergency (class 1) twice. */
const clip = (classIndex: number, top: number): ScoredClip => {
  const rest = (1 - top) / 2 + 0.05;
  return { classIndex, scores: [[0.9, 0.05, 0.05], [rest, top, 1 - top - rest], [rest, top, 1 - top - rest]] };
};

t.test('an emergency triggers only as the reported class (the arg-max), as in the firmware', async (t) => {
  const low = classes.map((c) => ({ ...c, threshold: c.emergency ? 0.3 : c.threshold }));
  t.equal(clipDecisionWithEmergencies([[0.35, 0.4, 0.25]], low, rule), 1, 'top and above its threshold');
  t.equal(clipDecisionWithEmergencies([[0.45, 0.35, 0.2]], low, rule), 0, 'above its threshold but not the top: the mean decides');
});

t.test('tuning: a quiet emergency the fixed 0.6 misses is caught, a background is not turned into one', async (t) => {
  // emergencies heard at 0.55 (missed at 0.6; their mean is the background's), a background's tone at
  // 0.45: any threshold in (0.45, 0.55] decides all five right
  const clips = [clip(1, 0.55), clip(1, 0.56), clip(1, 0.9), clip(0, 0.45), clip(0, 0.1)];
  t.equal(correctClips(clips, classes, rule), 3, 'the fixed threshold misses two');
  const tuned = tuneEmergencyThresholds(clips, classes, rule);
  t.equal(tuned[0], 0.4, 'environment thresholds are kept');
  t.equal(tuned[1], 0.5);
  t.equal(correctClips(clips, classes.map((c, k) => ({ ...c, threshold: tuned[k]! })), rule), 5);
});

t.test('tuning: of equally good thresholds the middle one, from the grid', async (t) => {
  const clips = [clip(1, 0.95), clip(0, 0.1)];
  const tuned = tuneEmergencyThresholds(clips, classes, rule);
  t.ok(THRESHOLD_GRID.includes(tuned[1]!));
  t.equal(tuned[1], THRESHOLD_GRID[Math.floor((THRESHOLD_GRID.length - 1) / 2)], 'every threshold is right: the middle of the grid');
  t.same(THRESHOLD_GRID.slice(0, 2), [0.35, 0.4]);
  t.equal(THRESHOLD_GRID.at(-1), 0.9);
});

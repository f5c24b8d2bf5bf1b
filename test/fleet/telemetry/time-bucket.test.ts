import t from 'tap';
import { bucketStart, formatBucketWidth, parseBucketWidth, planBuckets } from '../../../fleet/telemetry/time-bucket.ts';

t.test('bucket widths parse strictly', async (t) => {
  t.same(parseBucketWidth('1s'), { ok: true, value: 1000 });
  t.same(parseBucketWidth('1m'), { ok: true, value: 60_000 });
  t.same(parseBucketWidth('5m'), { ok: true, value: 300_000 });
  t.same(parseBucketWidth('1h'), { ok: true, value: 3_600_000 });
  t.same(parseBucketWidth('7d'), { ok: true, value: 604_800_000 });
  for (const bad of ['', '0m', '05m', '-5m', '1.5h', '5', 'm', '5M', '5 m', ' 5m', '5mm', '1w', '8d', '9999h', '10000s', '1e3s', 5, null, undefined, { toString: () => '5m' }]) {
    const parsed = parseBucketWidth(bad);
    t.equal(parsed.ok, false, String(bad));
    if (!parsed.ok) t.ok(parsed.reason.length > 0);
  }
  for (const text of ['30s', '5m', '1h', '2d', '90s']) {
    const parsed = parseBucketWidth(text);
    t.ok(parsed.ok && formatBucketWidth(parsed.value) === text, `${text} round-trips`);
  }
  t.equal(formatBucketWidth(90_000), '90s');
  t.equal(formatBucketWidth(7_200_000), '2h');
});

t.test('buckets align to the epoch and cover the range', async (t) => {
  t.equal(bucketStart(125_000, 60_000), 120_000);
  t.equal(bucketStart(120_000, 60_000), 120_000);
  t.same(planBuckets({ from: 125_000, to: 245_000, widthMs: 60_000 }), {
    ok: true,
    value: { from: 125_000, to: 245_000, widthMs: 60_000, firstBucket: 120_000, buckets: 3 },
  });
  t.same(planBuckets({ from: 120_000, to: 240_000, widthMs: 60_000 }), {
    ok: true,
    value: { from: 120_000, to: 240_000, widthMs: 60_000, firstBucket: 120_000, buckets: 2 },
  });
});

t.test('bad ranges are refused', async (t) => {
  const cases = [
    { from: 10, to: 10, widthMs: 1000 },
    { from: 20, to: 10, widthMs: 1000 },
    { from: -5, to: 10, widthMs: 1000 },
    { from: 0.5, to: 10, widthMs: 1000 },
    { from: 0, to: Number.NaN, widthMs: 1000 },
    { from: 0, to: 10_000, widthMs: 10 },
    { from: 0, to: 10_000, widthMs: 1.5e3 + 0.5 },
    { from: 0, to: 365 * 86_400_000, widthMs: 60_000 },
  ];
  for (const query of cases) t.equal(planBuckets(query).ok, false, JSON.stringify(query));
  t.equal(planBuckets({ from: 0, to: 100_000, widthMs: 1000 }, 50).ok, false, 'custom bucket cap');
});

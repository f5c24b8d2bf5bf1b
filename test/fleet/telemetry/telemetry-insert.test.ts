// The telemetry table on PGlite and PostgreSQL: rows travel as one array literal per column
// (PGlite) or as one binary COPY (PostgreSQL), and what lands must be exactly what was sent (millisecond times, doubles, odd text, absent optional
// measurements); a batch larger than one statement is all-or-nothing; bucket queries unnest the
// arrays and count only samples inside [from, to); retention deletes whole minutes only.
import type { Test } from 'tap';
import t from 'tap';
import { segmentStart, type TelemetryRow, type TelemetrySample } from '../../../fleet/telemetry/telemetry-batch.ts';
import { countTelemetry, deleteTelemetryBefore, insertTelemetryRows, queryTelemetryBuckets } from '../../../fleet/telemetry/telemetry-repository.ts';
import { openPglite, openPostgres, postgresSkipReason, postgresUrl, type TestDatabase } from '../support/databases.ts';
import { readSamples } from '../support/telemetry-samples.ts';

const sample = (t: number, extra: Partial<TelemetrySample> = {}): TelemetrySample => ({ t, attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0, ...extra });
/** One row per minute, as validation makes them. */
function rows(deviceId: string, samples: TelemetrySample[]): TelemetryRow[] {
  const bySegment = new Map<number, TelemetrySample[]>();
  for (const s of samples) bySegment.set(segmentStart(s.t), [...(bySegment.get(segmentStart(s.t)) ?? []), s]);
  return [...bySegment].map(([segment, group]) => ({ deviceId, segment, samples: group }));
}
const absent = { noiseClass: null, noiseConfidence: null, battery: null, intensity: null, emergencies: null };

async function contract(t: Test, open: () => Promise<TestDatabase>): Promise<void> {
  const { db, close } = await open();
  t.teardown(close);

  t.test('values, millisecond times and absent measurements read back exactly', async (t) => {
    const at = Date.UTC(2026, 10, 22, 1, 2, 3, 789);
    await insertTelemetryRows(db, [
      ...rows('ins-a', [sample(at, { noiseClass: 'street', noiseConfidence: 0.75, battery: 88, intensity: 1, emergencies: 2 }), sample(at + 1, { errorPower: 0.1 + 0.2, attenuationDb: -1e-7 })]),
      ...rows('ins-b', [sample(at + 2, { noiseClass: 'o"dd\\{,}\u00e9 NULL' }), sample(at + 3, { battery: 5e-324 })]),
    ]);
    t.same(await readSamples(db, 'ins-_'), [
      { deviceId: 'ins-a', segment: segmentStart(at), t: at, attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0, noiseClass: 'street', noiseConfidence: 0.75, battery: 88, intensity: 1, emergencies: 2 },
      { deviceId: 'ins-a', segment: segmentStart(at), t: at + 1, attenuationDb: -1e-7, errorPower: 0.30000000000000004, recoveries: 0, ...absent },
      { deviceId: 'ins-b', segment: segmentStart(at), t: at + 2, attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0, ...absent, noiseClass: 'o"dd\\{,}\u00e9 NULL' },
      { deviceId: 'ins-b', segment: segmentStart(at), t: at + 3, attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0, ...absent, battery: 5e-324 },
    ]);
    const stored = await db.selectFrom('telemetry').select(['device_id', 'battery', 'noise_confidence']).where('device_id', 'in', ['ins-a', 'ins-b']).orderBy('device_id').execute();
    t.same(stored.map((r) => r.noise_confidence), [[0.75, null], null], 'a metric no sample of a row has is a null array');
    t.equal(await countTelemetry(db, 'ins-a'), 2);
    await insertTelemetryRows(db, []);
  });

  t.test('times before 2000 and far ahead, text beyond ASCII, metrics only some samples have', async (t) => {
    const late = Date.UTC(2200, 0, 1, 0, 0, 0, 1);
    await insertTelemetryRows(db, [
      ...rows('ins-\u00e9\u{1f3a7}', [sample(0, { recoveries: 2 ** 31 - 1 }), sample(59_999, { noiseClass: '\u{1f3a7}x', emergencies: 0 })]),
      ...rows('ins-\u00e9\u{1f3a7}', [sample(late, { noiseConfidence: 0 }), sample(late + 1), sample(late + 2, { noiseConfidence: 1 })]),
    ]);
    t.same(await readSamples(db, 'ins-\u00e9\u{1f3a7}'), [
      { deviceId: 'ins-\u00e9\u{1f3a7}', segment: 0, t: 0, attenuationDb: 31.5, errorPower: 0.0021, recoveries: 2 ** 31 - 1, ...absent },
      { deviceId: 'ins-\u00e9\u{1f3a7}', segment: 0, t: 59_999, attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0, ...absent, noiseClass: '\u{1f3a7}x', emergencies: 0 },
      { deviceId: 'ins-\u00e9\u{1f3a7}', segment: segmentStart(late), t: late, attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0, ...absent, noiseConfidence: 0 },
      { deviceId: 'ins-\u00e9\u{1f3a7}', segment: segmentStart(late), t: late + 1, attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0, ...absent },
      { deviceId: 'ins-\u00e9\u{1f3a7}', segment: segmentStart(late), t: late + 2, attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0, ...absent, noiseConfidence: 1 },
    ]);
    // Gone again, so the retention test below counts only its own rows.
    await db.deleteFrom('telemetry').where('device_id', '=', 'ins-\u00e9\u{1f3a7}').execute();
  });

  t.test('more rows than one statement holds: all stored, or none', async (t) => {
    const base = Date.UTC(2026, 10, 22);
    const many = Array.from({ length: 10_050 }, (_, i) => rows('ins-many', [sample(base + i * 60_000)])[0]!);
    await insertTelemetryRows(db, many);
    t.equal(await countTelemetry(db, 'ins-many'), 10_050);
    // The last chunk fails (a null device id): the first 10,000 rows must not stay.
    const broken = Array.from({ length: 10_010 }, (_, i) => rows('ins-broken', [sample(base + i * 60_000)])[0]!);
    broken[10_005] = { ...broken[10_005]!, deviceId: null as unknown as string };
    await t.rejects(insertTelemetryRows(db, broken));
    t.equal(await countTelemetry(db, 'ins-broken'), 0, 'rolled back as one');
  });

  t.test('buckets count only samples inside [from, to), across rows and minutes', async (t) => {
    const minute = Date.UTC(2026, 10, 22, 3, 0);
    // One message spanning two minutes, and a second message in the first minute.
    await insertTelemetryRows(db, [
      ...rows('q-1', [sample(minute + 10_000, { attenuationDb: 10 }), sample(minute + 50_000, { attenuationDb: 20, battery: 50 }), sample(minute + 70_000, { attenuationDb: 40 })]),
      ...rows('q-1', [sample(minute + 20_000, { attenuationDb: 30, recoveries: 3 })]),
      ...rows('q-2', [sample(minute + 30_000, { attenuationDb: 0 })]),
    ]);
    const q = (over: Partial<Parameters<typeof queryTelemetryBuckets>[1]>) => queryTelemetryBuckets(db, { deviceId: 'q-1', metric: 'attenuationDb', from: minute, to: minute + 120_000, widthMs: 60_000, ...over });
    t.same(await q({}), [
      { t: minute, avg: 20, min: 10, max: 30, count: 3 },
      { t: minute + 60_000, avg: 40, min: 40, max: 40, count: 1 },
    ]);
    t.same(await q({ from: minute + 20_000, to: minute + 70_000 }), [{ t: minute, avg: 25, min: 20, max: 30, count: 2 }], 'from inclusive, to exclusive, inside a row');
    t.same(await q({ widthMs: 1000, from: minute + 49_000, to: minute + 71_000 }), [
      { t: minute + 50_000, avg: 20, min: 20, max: 20, count: 1 },
      { t: minute + 70_000, avg: 40, min: 40, max: 40, count: 1 },
    ]);
    t.same(await q({ metric: 'battery', widthMs: 3_600_000 }), [{ t: minute, avg: 50, min: 50, max: 50, count: 1 }], 'samples without the metric do not count');
    t.same(await q({ metric: 'recoveries' }), [
      { t: minute, avg: 1, min: 0, max: 3, count: 3 },
      { t: minute + 60_000, avg: 0, min: 0, max: 0, count: 1 },
    ], 'integer arrays aggregate as doubles');
    t.same(await q({ metric: 'emergencies' }), []);
    t.same(await q({ deviceId: 'q-2' }), [{ t: minute, avg: 0, min: 0, max: 0, count: 1 }]);
    await t.rejects(q({ metric: 'noiseClass' as never }), RangeError);
  });

  t.test('retention deletes whole minutes before the minute of the cutoff, and counts samples', async (t) => {
    const minute = Date.UTC(2026, 10, 1, 0, 0);
    await insertTelemetryRows(db, rows('old-1', [sample(minute + 1000), sample(minute + 2000), sample(minute + 61_000), sample(minute + 125_000)]));
    t.equal(await deleteTelemetryBefore(db, new Date(minute + 30_000)), 0, 'the cutoff minute is kept whole');
    t.equal(await deleteTelemetryBefore(db, new Date(minute + 61_500)), 2, 'the first minute goes; the sample at +61 s stays a minute longer');
    t.same((await readSamples(db, 'old-1')).map((s) => s.t), [minute + 61_000, minute + 125_000]);
    t.equal(await deleteTelemetryBefore(db, new Date(minute + 180_000)), 2);
    t.equal(await countTelemetry(db, 'old-1'), 0);
  });
}

t.test('PGlite', (t) => contract(t, openPglite));
t.test('PostgreSQL', { skip: postgresUrl ? false : postgresSkipReason }, (t) => contract(t, () => openPostgres(postgresUrl!)));

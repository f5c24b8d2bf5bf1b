// Migration 0004 regroups the old one-row-per-sample telemetry into rows per device and minute:
// every sample survives with its values (absent measurements stay absent), and the bucket
// queries answer exactly what the old SQL answered over the old table. PGlite and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import t, { type Test } from 'tap';
import { connectDatabase } from '../../../fleet/db/connect.ts';
import type { Database } from '../../../fleet/db/database.ts';
import { migrateToLatest } from '../../../fleet/db/migrate.ts';
import { migrationProvider } from '../../../fleet/db/migrations/index.ts';
import { countTelemetry, queryTelemetryBuckets, type BucketQuery } from '../../../fleet/telemetry/telemetry-repository.ts';
import { postgresSkipReason, postgresUrl } from '../support/databases.ts';
import { readSamples } from '../support/telemetry-samples.ts';

const minute = Date.UTC(2026, 10, 20, 12, 0);
// [device, ms, metrics] as migration 0002's table held them.
const OLD_ROWS: Array<[string, number, Record<string, unknown>]> = [
  ['mig-1', minute + 59_999, { attenuationDb: 20, errorPower: 0.5, recoveries: 1 }],
  ['mig-1', minute + 1_000, { attenuationDb: 10.25, errorPower: 0.0021, recoveries: 0, battery: 80, noiseClass: 'engine' }],
  ['mig-1', minute + 60_000, { attenuationDb: 30, errorPower: 1e-7, recoveries: 2, intensity: 1, emergencies: 3, noiseConfidence: 0.9 }],
  ['mig-1', minute + 3_600_123, { attenuationDb: -5, errorPower: 0, recoveries: 2 }],
  ['mig-2', minute + 1_000, { attenuationDb: 40, errorPower: 2, recoveries: 0 }],
];

/** The query of the old schema, as telemetry-repository.ts ran it before migration 0004. */
async function oldBuckets(db: Kysely<any>, q: Required<Pick<BucketQuery, 'deviceId'>> & BucketQuery) {
  const value = sql`(metrics->>${sql.lit(q.metric)})::float8`;
  const result = await sql<{ t: string | number; avg: number; min: number; max: number; count: number }>`
    select (floor(extract(epoch from ts) * 1000 / ${q.widthMs}::float8) * ${q.widthMs}::float8)::bigint as t,
      avg(${value}) as avg, min(${value}) as min, max(${value}) as max, count(${value})::int as count
    from telemetry
    where ts >= ${new Date(q.from)} and ts < ${new Date(q.to)} and metrics ? ${sql.lit(q.metric)} and device_id = ${q.deviceId}
    group by 1 order by 1`.execute(db);
  return result.rows.map((r) => ({ t: Number(r.t), avg: Number(r.avg), min: Number(r.min), max: Number(r.max), count: Number(r.count) }));
}

async function migration(t: Test, db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: rows[0]!.schema });
  const before = await migrator.migrateTo('2026-11-23T0003-presence-sessions-and-event-ids');
  t.notOk(before.error, 'migrated to 0003');
  for (const [device, ms, metrics] of OLD_ROWS) {
    await sql`insert into telemetry (device_id, ts, metrics) values (${device}, ${new Date(ms)}, ${JSON.stringify(metrics)}::jsonb)`.execute(db);
  }
  const queries: Array<Required<Pick<BucketQuery, 'deviceId'>> & BucketQuery> = [];
  for (const metric of ['attenuationDb', 'errorPower', 'recoveries', 'battery', 'intensity', 'emergencies', 'noiseConfidence'] as const) {
    for (const [from, to, widthMs] of [
      [minute, minute + 7_200_000, 60_000],
      [minute + 1_000, minute + 60_001, 1000],
      [minute - 86_400_000, minute + 86_400_000, 3_600_000],
    ] as const) {
      queries.push({ deviceId: 'mig-1', metric, from, to, widthMs });
    }
  }
  queries.push({ deviceId: 'mig-2', metric: 'attenuationDb', from: minute, to: minute + 60_000, widthMs: 60_000 });
  const expected = await Promise.all(queries.map((q) => oldBuckets(db, q)));

  await migrateToLatest(db);
  t.equal(await countTelemetry(db), OLD_ROWS.length, 'every sample survives');
  const stored = await readSamples(db, 'mig-%');
  t.same(
    stored.map((s) => [s.deviceId, s.segment, s.t, s.attenuationDb, s.errorPower, s.recoveries, s.noiseClass, s.battery, s.intensity, s.emergencies, s.noiseConfidence]),
    [
      ['mig-1', minute, minute + 1_000, 10.25, 0.0021, 0, 'engine', 80, null, null, null],
      ['mig-1', minute, minute + 59_999, 20, 0.5, 1, null, null, null, null, null],
      ['mig-1', minute + 60_000, minute + 60_000, 30, 1e-7, 2, null, null, 1, 3, 0.9],
      ['mig-1', minute + 3_600_000, minute + 3_600_123, -5, 0, 2, null, null, null, null, null],
      ['mig-2', minute, minute + 1_000, 40, 2, 0, null, null, null, null, null],
    ],
    'regrouped per device and minute, in time order',
  );
  const grouped = await db.selectFrom('telemetry').select(['device_id', 'battery', 'intensity']).orderBy('device_id').orderBy('ts').execute();
  t.same(grouped.map((r) => [r.device_id, r.battery, r.intensity]), [
    ['mig-1', [80, null], null],
    ['mig-1', null, [1]],
    ['mig-1', null, null],
    ['mig-2', null, null],
  ], 'an optional metric no sample of a minute has is a null array');
  const answered = await Promise.all(queries.map((q) => queryTelemetryBuckets(db, q)));
  t.same(answered, expected, 'bucket queries answer as the old schema did');
  t.ok(expected.some((points) => points.length > 1), 'the comparison covers multi-bucket answers');
}

t.test('PGlite', async (t) => {
  const db = connectDatabase({ kind: 'pglite-instance', pglite: new PGlite() });
  t.teardown(() => db.destroy());
  await migration(t, db);
});

t.test('PostgreSQL', { skip: postgresUrl ? false : postgresSkipReason }, async (t) => {
  const schema = `fleet_mig_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = connectDatabase({ kind: 'postgres', url: postgresUrl!, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  const db = connectDatabase({ kind: 'postgres', url: postgresUrl!, searchPath: schema, poolSize: 2 });
  t.teardown(async () => {
    await db.destroy();
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
    await admin.destroy();
  });
  await migration(t, db);
});

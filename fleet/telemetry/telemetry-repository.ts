// The telemetry table: one multi-row insert per ingest batch, bucketed aggregates for queries,
// and deletion by age. Measurements live in one jsonb column; the metric names a query may
// aggregate are a closed list, so no caller-supplied text ever reaches the SQL as a key.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { TelemetryRow } from './telemetry-batch.ts';

type Db = Kysely<Database>;

/** Numeric fields of a sample that can be aggregated per bucket. */
export const TELEMETRY_METRICS = ['attenuationDb', 'errorPower', 'recoveries', 'noiseConfidence', 'battery', 'intensity', 'emergencies'] as const;
export type TelemetryMetric = (typeof TELEMETRY_METRICS)[number];

// Rows travel as one JSON parameter that PostgreSQL expands itself: one bind parameter per
// statement, whatever the row count, and no per-value work in the query builder (a 4,000-row
// batch as bind parameters would be 12,000 of them). Chunked only to bound a statement's size.
const MAX_ROWS_PER_INSERT = 10_000;

const METRIC_FIELDS = ['attenuationDb', 'errorPower', 'recoveries', 'noiseClass', 'noiseConfidence', 'battery', 'intensity', 'emergencies'] as const satisfies ReadonlyArray<Exclude<keyof TelemetryRow, 'deviceId' | 't'>>;

/** `[[deviceId, t, {metrics}], ...]` as JSON text. Nulls are not stored: an absent optional measurement is simply not in the object. */
function rowsAsJson(rows: readonly TelemetryRow[]): string {
  const out: unknown[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const metrics: Record<string, unknown> = {};
    for (const field of METRIC_FIELDS) {
      const value = row[field];
      if (value !== null && value !== undefined) metrics[field] = value;
    }
    out[i] = [row.deviceId, row.t, metrics];
  }
  return JSON.stringify(out);
}

async function insertChunk(db: Db, rows: readonly TelemetryRow[]): Promise<void> {
  await sql`insert into telemetry (device_id, ts, metrics)
    select r->>0, timestamptz 'epoch' + (r->>1)::bigint * interval '1 millisecond', r->2
    from jsonb_array_elements(${rowsAsJson(rows)}::jsonb) as r`.execute(db);
}

/**
 * Inserts the rows atomically: one statement (committed on its own when `db` is not a
 * transaction), or one transaction around several when there are more than a statement holds.
 */
export async function insertTelemetryRows(db: Db, rows: readonly TelemetryRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length <= MAX_ROWS_PER_INSERT) return insertChunk(db, rows);
  const run = async (trx: Db) => {
    for (let start = 0; start < rows.length; start += MAX_ROWS_PER_INSERT) await insertChunk(trx, rows.slice(start, start + MAX_ROWS_PER_INSERT));
  };
  if (db.isTransaction) return run(db);
  await db.transaction().execute(run);
}

export interface BucketQuery {
  deviceId?: string;
  group?: string;
  metric: TelemetryMetric;
  from: number;
  to: number;
  widthMs: number;
}

export interface BucketRow {
  t: number;
  avg: number;
  min: number;
  max: number;
  count: number;
}

/**
 * avg/min/max of one metric per bucket over [from, to), for one device or all members of a
 * group. Buckets are aligned to the epoch in milliseconds with plain arithmetic (no date_bin,
 * which older PostgreSQL lacks), so PGlite and PostgreSQL answer identically.
 */
export async function queryTelemetryBuckets(db: Db, query: BucketQuery): Promise<BucketRow[]> {
  if (!(TELEMETRY_METRICS as readonly string[]).includes(query.metric)) throw new RangeError(`unknown metric ${query.metric}`);
  const value = sql<number>`(metrics->>${sql.lit(query.metric)})::float8`;
  const bucket = sql<number>`(floor(extract(epoch from ts) * 1000 / ${query.widthMs}::float8) * ${query.widthMs}::float8)::bigint`;
  let q = db
    .selectFrom('telemetry')
    .select([
      bucket.as('t'),
      sql<number>`avg(${value})`.as('avg'),
      sql<number>`min(${value})`.as('min'),
      sql<number>`max(${value})`.as('max'),
      sql<number>`count(${value})::int`.as('count'),
    ])
    .where('ts', '>=', new Date(query.from))
    .where('ts', '<', new Date(query.to))
    .where(sql<boolean>`metrics ? ${sql.lit(query.metric)}`)
    .groupBy(sql`1`)
    .orderBy(sql`1`);
  if (query.deviceId !== undefined) q = q.where('device_id', '=', query.deviceId);
  if (query.group !== undefined) {
    const group = query.group;
    q = q.where('device_id', 'in', (eb) => eb.selectFrom('device_groups').select('device_id').where('group_name', '=', group));
  }
  const rows = await q.execute();
  return rows.map((r) => ({ t: Number(r.t), avg: Number(r.avg), min: Number(r.min), max: Number(r.max), count: Number(r.count) }));
}

/** Deletes rows older than `before`; returns how many. */
export async function deleteTelemetryBefore(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('telemetry').where('ts', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countTelemetry(db: Db, deviceId?: string): Promise<number> {
  let q = db.selectFrom('telemetry').select(sql<number>`count(*)::int`.as('n'));
  if (deviceId !== undefined) q = q.where('device_id', '=', deviceId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

// The telemetry table: one row per message and minute (samples as columnar arrays, migration
// 0004), one statement per ingest batch (a binary COPY on PostgreSQL, a multi-row insert on
// PGlite), bucketed aggregates that unnest the arrays, and deletion by age. The metric names a
// query may aggregate are a closed list mapped to columns, so no caller-supplied text ever
// reaches the SQL as an identifier.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { postgresPool } from '../db/connect.ts';
import type { Database } from '../db/database.ts';
import { copyTelemetryRows } from './telemetry-copy.ts';
import { segmentStart, type TelemetryRow, type TelemetrySample } from './telemetry-batch.ts';

type Db = Kysely<Database>;

/** Numeric fields of a sample that can be aggregated per bucket. */
export const TELEMETRY_METRICS = ['attenuationDb', 'errorPower', 'recoveries', 'noiseConfidence', 'battery', 'intensity', 'emergencies'] as const;
export type TelemetryMetric = (typeof TELEMETRY_METRICS)[number];

const METRIC_COLUMNS = {
  attenuationDb: 'attenuation_db',
  errorPower: 'error_power',
  recoveries: 'recoveries',
  noiseConfidence: 'noise_confidence',
  battery: 'battery',
  intensity: 'intensity',
  emergencies: 'emergencies',
} as const satisfies Record<TelemetryMetric, string>;

// A batch travels as one text[] parameter per column, each element one row's array literal
// ('{1,2,3}'), which PostgreSQL's own array input parses: eleven bind parameters per statement
// whatever the row count, and no per-value work in the query builder or the driver (the sample
// columns' text[] literals are built here, so pg passes them as they are). Chunked only to bound
// a statement.
const MAX_ROWS_PER_INSERT = 10_000;

type Field = Exclude<keyof TelemetrySample, 't'>;
const REQUIRED: readonly Field[] = ['attenuationDb', 'errorPower', 'recoveries'];
/** Optional numeric fields; `noiseClass`, the one text field, is added on its own. */
const OPTIONAL: readonly Field[] = ['noiseConfidence', 'battery', 'intensity', 'emergencies'];

/** Quotes an array element; labels are validated, but a literal must not depend on it. */
const quoted = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;

/** One row's values of a field as an array literal; null for an optional field no sample has. */
function arrayLiteral(samples: readonly TelemetrySample[], field: Field | 't', optional: boolean): string | null {
  let present = false;
  let out = '{';
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i]![field];
    if (i > 0) out += ',';
    if (value === undefined || value === null) out += 'NULL';
    else {
      present = true;
      // String(number) is the shortest text that reads back as the same double.
      out += typeof value === 'string' ? quoted(value) : String(value);
    }
  }
  return optional && !present ? null : `${out}}`;
}

/** The text[] literal of one column: every row's array literal, quoted as an element. */
function column(rows: readonly TelemetryRow[], field: Field | 't', optional: boolean): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const literal = arrayLiteral(rows[i]!.samples, field, optional);
    if (i > 0) out += ',';
    // Numeric literals hold no quote or backslash; only text arrays need escaping again.
    out += literal === null ? 'NULL' : field === 'noiseClass' ? quoted(literal) : `"${literal}"`;
  }
  return `${out}}`;
}

async function insertChunk(db: Db, rows: readonly TelemetryRow[]): Promise<void> {
  const [attenuationDb, errorPower, recoveries] = REQUIRED.map((field) => column(rows, field, false));
  const [noiseConfidence, battery, intensity, emergencies] = OPTIONAL.map((field) => column(rows, field, true));
  await sql`insert into telemetry (device_id, ts, t, attenuation_db, error_power, recoveries, noise_class, noise_confidence, battery, intensity, emergencies)
    select d, timestamptz 'epoch' + s * interval '1 millisecond', t::bigint[], a::float8[], e::float8[], r::integer[], nc::text[], ncf::float8[], b::float8[], i::float8[], em::integer[]
    from unnest(${rows.map((row) => row.deviceId)}::text[], ${rows.map((row) => row.segment)}::bigint[], ${column(rows, 't', false)}::text[],
      ${attenuationDb}::text[], ${errorPower}::text[], ${recoveries}::text[], ${column(rows, 'noiseClass', true)}::text[], ${noiseConfidence}::text[],
      ${battery}::text[], ${intensity}::text[], ${emergencies}::text[]) as u(d, s, t, a, e, r, nc, ncf, b, i, em)`.execute(db);
}

/**
 * Inserts the rows atomically: one binary COPY on PostgreSQL (telemetry-copy.ts), else one
 * statement (committed on its own when `db` is not a transaction), or one transaction around
 * several when there are more than a statement holds.
 */
export async function insertTelemetryRows(db: Db, rows: readonly TelemetryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const pool = postgresPool(db);
  if (pool) return copyTelemetryRows(pool, rows);
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
 * group. Buckets are aligned to the epoch in milliseconds with integer arithmetic on the sample
 * times (no date_bin, which older PostgreSQL lacks), so PGlite and PostgreSQL answer identically.
 * Rows are found by the (device_id, ts) index: a row starting before the segment of `from` holds
 * no sample at or after `from`.
 */
export async function queryTelemetryBuckets(db: Db, query: BucketQuery): Promise<BucketRow[]> {
  if (!(TELEMETRY_METRICS as readonly string[]).includes(query.metric)) throw new RangeError(`unknown metric ${query.metric}`);
  const column = sql.ref(`m.${METRIC_COLUMNS[query.metric]}`);
  const width = query.widthMs;
  let devices: RawBuilder<unknown> = sql`true`;
  if (query.deviceId !== undefined) devices = sql`m.device_id = ${query.deviceId}`;
  if (query.group !== undefined) devices = sql`${devices} and m.device_id in (select device_id from device_groups where group_name = ${query.group})`;
  const result = await sql<{ t: number | string; avg: number; min: number; max: number; count: number }>`
    select (s.t / ${width}::bigint) * ${width}::bigint as t, avg(s.v::float8) as avg, min(s.v::float8) as min, max(s.v::float8) as max, count(*)::int as count
    from telemetry as m cross join lateral unnest(m.t, ${column}) as s(t, v)
    where ${devices} and m.ts >= ${new Date(segmentStart(query.from))} and m.ts < ${new Date(query.to)}
      and s.t >= ${query.from}::bigint and s.t < ${query.to}::bigint and s.v is not null
    group by 1 order by 1`.execute(db);
  return result.rows.map((r) => ({ t: Number(r.t), avg: Number(r.avg), min: Number(r.min), max: Number(r.max), count: Number(r.count) }));
}

/**
 * Deletes the samples older than `before`, whole rows at a time: a row goes once its whole minute
 * is before the minute of `before`, so no newer sample is ever deleted and an older one may stay
 * up to a minute longer (until the next pass). Returns how many samples were deleted.
 */
export async function deleteTelemetryBefore(db: Db, before: Date): Promise<number> {
  const cutoff = new Date(segmentStart(before.getTime()));
  const result = await sql<{ n: number | string }>`
    with gone as (delete from telemetry where ts < ${cutoff} returning cardinality(t) as n)
    select coalesce(sum(n), 0)::bigint as n from gone`.execute(db);
  return Number(result.rows[0]!.n);
}

/** Stored samples, of one device or of all. */
export async function countTelemetry(db: Db, deviceId?: string): Promise<number> {
  const where = deviceId === undefined ? sql`` : sql`where device_id = ${deviceId}`;
  const result = await sql<{ n: number | string }>`select coalesce(sum(cardinality(t)), 0)::bigint as n from telemetry ${where}`.execute(db);
  return Number(result.rows[0]!.n);
}

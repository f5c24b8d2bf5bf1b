// Frozen. Telemetry from one row per sample (device_id, ts, metrics jsonb) to one row per message
// and minute: the samples of one message that fall in one minute aligned to the epoch, as
// columnar arrays (t[] and one array per metric, in sample order). Ingest then writes one row
// per message instead of ten or more, and the arrays are a third of the size of jsonb rows.
// Queries unnest the arrays. Existing rows are regrouped per device and minute.
//
// Columns: ts is the start of the row's minute; t holds the sample times (epoch ms). Required
// metrics are never-null arrays; an optional metric's array is null when no sample of the row
// has it, else it has a null for each sample without it. Every array is as long as t.
import { sql, type Kysely } from 'kysely';

const SEGMENT_MS = 60_000;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table telemetry_per_message (
      device_id text not null,
      ts timestamptz not null,
      t bigint[] not null,
      attenuation_db float8[] not null,
      error_power float8[] not null,
      recoveries integer[] not null,
      noise_class text[],
      noise_confidence float8[],
      battery float8[],
      intensity float8[],
      emergencies integer[],
      constraint telemetry_arrays_aligned check (
        cardinality(t) > 0
        and cardinality(attenuation_db) = cardinality(t)
        and cardinality(error_power) = cardinality(t)
        and cardinality(recoveries) = cardinality(t)
        and coalesce(cardinality(noise_class), cardinality(t)) = cardinality(t)
        and coalesce(cardinality(noise_confidence), cardinality(t)) = cardinality(t)
        and coalesce(cardinality(battery), cardinality(t)) = cardinality(t)
        and coalesce(cardinality(intensity), cardinality(t)) = cardinality(t)
        and coalesce(cardinality(emergencies), cardinality(t)) = cardinality(t)
      )
    )`.execute(db);

  // Old rows, regrouped: one row per device and minute, samples in time order.
  await sql`
    insert into telemetry_per_message
    select device_id,
      timestamptz 'epoch' + minute * ${sql.lit(SEGMENT_MS)} * interval '1 millisecond',
      array_agg(ms order by ms),
      array_agg((metrics->>'attenuationDb')::float8 order by ms),
      array_agg((metrics->>'errorPower')::float8 order by ms),
      array_agg((metrics->>'recoveries')::integer order by ms),
      case when bool_or(metrics ? 'noiseClass') then array_agg(metrics->>'noiseClass' order by ms) end,
      case when bool_or(metrics ? 'noiseConfidence') then array_agg((metrics->>'noiseConfidence')::float8 order by ms) end,
      case when bool_or(metrics ? 'battery') then array_agg((metrics->>'battery')::float8 order by ms) end,
      case when bool_or(metrics ? 'intensity') then array_agg((metrics->>'intensity')::float8 order by ms) end,
      case when bool_or(metrics ? 'emergencies') then array_agg((metrics->>'emergencies')::integer order by ms) end
    from (
      select device_id, metrics, ms, floor(ms / ${sql.lit(SEGMENT_MS)}::float8)::bigint as minute
      from (select device_id, metrics, round(extract(epoch from ts) * 1000)::bigint as ms from telemetry) as samples
    ) as by_minute
    group by device_id, minute`.execute(db);

  await db.schema.dropTable('telemetry').execute();
  await sql`alter table telemetry_per_message rename to telemetry`.execute(db);
  await db.schema.createIndex('telemetry_device_ts_idx').on('telemetry').columns(['device_id', 'ts']).execute();
  // Retention deletes by age across all devices.
  await db.schema.createIndex('telemetry_ts_idx').on('telemetry').column('ts').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}

// Created by the part A migrations; filled by telemetry ingest (part B).
import type { ColumnType, Generated } from 'kysely';
import type { Json } from './devices.ts';

/** Array elements as the drivers return them (pg gives bigint[] as strings, PGlite as numbers). */
type SampleArray<T, Absent = never> = ColumnType<Array<T | string | null> | Absent, string | Absent, never>;

/**
 * One row per message and minute (migration 0004): the message's samples in that minute as
 * columnar arrays, one element per sample. Written and read through
 * fleet/telemetry/telemetry-repository.ts, which unnests them.
 */
export interface TelemetryTable {
  device_id: string;
  /** Start of the minute (aligned to the epoch) the row's samples fall in. */
  ts: ColumnType<Date, Date | string, never>;
  /** Sample times, epoch ms. */
  t: SampleArray<number>;
  attenuation_db: SampleArray<number>;
  error_power: SampleArray<number>;
  recoveries: SampleArray<number>;
  /** Optional metrics: null when no sample of the row has it. */
  noise_class: SampleArray<string, null>;
  noise_confidence: SampleArray<number, null>;
  battery: SampleArray<number, null>;
  intensity: SampleArray<number, null>;
  emergencies: SampleArray<number, null>;
}

export interface EventsTable {
  id: Generated<number>;
  device_id: string;
  ts: ColumnType<Date, Date | string, never>;
  kind: string;
  severity: string;
  data: Json<Record<string, unknown>>;
  /** The device's own event id (migration 0003); unique per device, so redeliveries store once. */
  device_event_id: ColumnType<string | null, string | null | undefined, never>;
}

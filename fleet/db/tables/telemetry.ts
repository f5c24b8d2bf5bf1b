// Created by the part A migrations; filled by telemetry ingest (part B).
import type { ColumnType, Generated } from 'kysely';
import type { Json } from './devices.ts';

export interface TelemetryTable {
  device_id: string;
  ts: ColumnType<Date, Date | string, never>;
  metrics: Json<Record<string, unknown>>;
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

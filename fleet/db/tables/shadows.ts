// Created by the part A migrations; filled by the shadow service (part B).
import type { ColumnType, Generated } from 'kysely';
import type { Json } from './devices.ts';

export interface ShadowsTable {
  device_id: string;
  /** bigint in SQL, read back as a JS number (safe up to 2^53) on both drivers. */
  version: ColumnType<number, number | undefined, number>;
  desired: Json<Record<string, unknown>>;
  reported: Json<Record<string, unknown>>;
  metadata: Json<Record<string, unknown>>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ShadowHistoryTable {
  id: Generated<number>;
  device_id: string;
  version: number;
  actor: string;
  change: Json<Record<string, unknown>>;
  at: ColumnType<Date, Date | undefined, never>;
}

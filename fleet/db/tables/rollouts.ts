// Created by migration 0006; filled by the rollout service (fleet/rollouts/).
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Json } from './devices.ts';

export type RolloutStatus = 'running' | 'paused' | 'completed' | 'aborted' | 'cancelled';

export interface RolloutsTable {
  /** `r-` + 16 hex; one MQTT topic level (JobDocument.rolloutId). */
  id: string;
  artifact_id: string;
  name: string;
  status: RolloutStatus;
  status_reason: string | null;
  /** The config with every default filled in (fleet/rollouts/rollout-config.ts). */
  config: Json<Record<string, unknown>>;
  /** Planned waves: thresholds and size; the last is the holdout's release when there is one. */
  waves: Json<Array<Record<string, unknown>>>;
  current_wave: ColumnType<number, number | undefined, number>;
  /** Set when the current wave passed its thresholds and the health gate's window began. */
  gate_started_at: Date | null;
  gate_result: Json<Record<string, unknown>> | null;
  /** A wave whose thresholds the operator overrode by resuming after a breach. */
  accepted_wave: number | null;
  created_by: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type RolloutRow = Selectable<RolloutsTable>;

export interface RolloutDevicesTable {
  rollout_id: string;
  device_id: string;
  role: 'wave' | 'holdout' | 'skipped';
  /** Wave index; the holdout's release wave for holdout devices; null when skipped. */
  wave: number | null;
  reason: string | null;
}

export interface JobsTable {
  id: string;
  rollout_id: string;
  device_id: string;
  action: 'install' | 'rollback';
  wave: number;
  state: string;
  reason: string | null;
  /** Bytes of the bundle the device reported holding; bigint, read back as string on pg. */
  progress_offset: ColumnType<string | number | null, number | null | undefined, number | null>;
  /** Device clock of the last update applied, ms (duplicates are recognised by it). */
  device_t: ColumnType<string | number, number | undefined, number>;
  created_at: ColumnType<Date, Date | undefined, never>;
  state_since: ColumnType<Date, Date | undefined, Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type JobRow = Selectable<JobsTable>;

export interface JobHistoryTable {
  id: Generated<number>;
  job_id: string;
  state: string;
  reason: string | null;
  progress_offset: number | null;
  device_t: number | null;
  at: ColumnType<Date, Date | undefined, never>;
}

import type { ColumnType, Selectable } from 'kysely';

/** jsonb columns are written as JSON text (the same on pg and PGlite) and read back parsed. */
export type Json<T> = ColumnType<T, string, string>;

export interface DevicesTable {
  id: string;
  name: string;
  hardware_revision: string | null;
  firmware_version: string | null;
  model_version: string | null;
  tags: ColumnType<string[], string | undefined, string>;
  created_at: ColumnType<Date, Date | undefined, never>;
  last_seen: Date | null;
  online: ColumnType<boolean, boolean | undefined, boolean>;
  /** Broker session that last set the device online (migration 0003). */
  presence_session: ColumnType<string | null, string | null | undefined, string | null>;
}
export type DeviceRow = Selectable<DevicesTable>;

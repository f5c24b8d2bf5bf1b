import type { ColumnType, Generated, Selectable } from 'kysely';

export interface DeviceCredentialsTable {
  id: Generated<number>;
  device_id: string;
  /** Hex SHA-256 of the device secret. */
  secret_hash: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  revoked_at: Date | null;
}
export type DeviceCredentialRow = Selectable<DeviceCredentialsTable>;

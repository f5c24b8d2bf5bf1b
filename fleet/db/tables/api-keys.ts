import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Role } from './users.ts';

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  /** Public part of the key, used to find the row without scanning hashes. */
  prefix: string;
  /** Hex SHA-256 of the secret part. */
  hash: string;
  role: Role;
  created_by: number | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}
export type ApiKeyRow = Selectable<ApiKeysTable>;

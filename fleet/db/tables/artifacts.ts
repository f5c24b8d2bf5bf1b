// Created by migration 0005; filled by artifact upload (fleet/artifacts/).
import type { ColumnType, Selectable } from 'kysely';
import type { Json } from './devices.ts';

export interface ArtifactsTable {
  /** SHA-256 of the whole bundle file, lower-case hex. */
  id: string;
  /** bigint columns come back from pg as strings; the repository converts. */
  size: ColumnType<string | number, number, never>;
  kind: string;
  version: string;
  hardware: Json<string[]>;
  counter: ColumnType<string | number, number, never>;
  /** Hex of the signing key's id (first 8 bytes of SHA-256 of the raw public key). */
  key_id: string;
  manifest: Json<Record<string, unknown>>;
  uploaded_by: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type ArtifactRow = Selectable<ArtifactsTable>;

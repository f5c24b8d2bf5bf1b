import type { ColumnType, Generated, Selectable } from 'kysely';

export interface DeviceCertificatesTable {
  id: Generated<number>;
  device_id: string;
  /** Hex serial number, as issued. */
  serial: string;
  /** Lowercase hex SHA-256 of the certificate's DER encoding. */
  fingerprint: string;
  not_before: Date;
  not_after: Date;
  /** True when the server generated the key pair (returned once) instead of signing a CSR. */
  key_generated: boolean;
  created_at: ColumnType<Date, Date | undefined, never>;
  revoked_at: Date | null;
}
export type DeviceCertificateRow = Selectable<DeviceCertificatesTable>;

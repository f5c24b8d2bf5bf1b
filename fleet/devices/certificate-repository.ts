// Device client certificates: only what identifies one (fingerprint, serial, validity) is
// stored, never a key. Revoked together with the device's secrets (credential-routes.ts).
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { DeviceCertificateRow } from '../db/tables/device-certificates.ts';

type Db = Kysely<Database>;

export interface NewCertificate {
  deviceId: string;
  serial: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  keyGenerated: boolean;
}

export async function insertCertificate(db: Db, certificate: NewCertificate): Promise<DeviceCertificateRow> {
  return db
    .insertInto('device_certificates')
    .values({
      device_id: certificate.deviceId,
      serial: certificate.serial,
      fingerprint: certificate.fingerprint,
      not_before: certificate.notBefore,
      not_after: certificate.notAfter,
      key_generated: certificate.keyGenerated,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listCertificates(db: Db, deviceId: string): Promise<DeviceCertificateRow[]> {
  return db.selectFrom('device_certificates').selectAll().where('device_id', '=', deviceId).orderBy('id').execute();
}

export async function findCertificateByFingerprint(db: Db, fingerprint: string): Promise<DeviceCertificateRow | undefined> {
  return db.selectFrom('device_certificates').selectAll().where('fingerprint', '=', fingerprint).executeTakeFirst();
}

/** Revokes the device's active certificates (one, when `serial` is given); returns how many. */
export async function revokeCertificates(db: Db, deviceId: string, at: Date, serial?: string): Promise<number> {
  let query = db.updateTable('device_certificates').set({ revoked_at: at }).where('device_id', '=', deviceId).where('revoked_at', 'is', null);
  if (serial !== undefined) query = query.where('serial', '=', serial);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

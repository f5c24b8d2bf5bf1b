// Device secrets: only SHA-256 hashes are stored; a device may hold several active
// credentials while a rotation is rolled out, so checks accept any unrevoked one.
import type { Kysely } from 'kysely';
import { secretMatches } from '../auth/secret-token.ts';
import type { Database } from '../db/database.ts';
import type { DeviceCredentialRow } from '../db/tables/device-credentials.ts';

type Db = Kysely<Database>;

export async function insertCredential(db: Db, deviceId: string, secretHash: string): Promise<DeviceCredentialRow> {
  return db
    .insertInto('device_credentials')
    .values({ device_id: deviceId, secret_hash: secretHash })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listCredentials(db: Db, deviceId: string): Promise<DeviceCredentialRow[]> {
  return db.selectFrom('device_credentials').selectAll().where('device_id', '=', deviceId).orderBy('id').execute();
}

/** Revokes every active credential of the device; returns how many were revoked. */
export async function revokeCredentials(db: Db, deviceId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('device_credentials')
    .set({ revoked_at: at })
    .where('device_id', '=', deviceId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** True when `secret` matches an unrevoked credential of the device (the MQTT CONNECT check). */
export async function verifyDeviceSecret(db: Db, deviceId: string, secret: string): Promise<boolean> {
  const rows = await db
    .selectFrom('device_credentials')
    .select('secret_hash')
    .where('device_id', '=', deviceId)
    .where('revoked_at', 'is', null)
    .execute();
  // Check every row (no early exit) so timing does not reveal which credential matched.
  let ok = false;
  for (const row of rows) ok = secretMatches(secret, row.secret_hash) || ok;
  return ok;
}

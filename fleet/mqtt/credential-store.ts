// The `CredentialStore` that `authenticate` (authorize.ts) decides against, over the database.
// A device may hold several credentials during a staged rotation, so its "secret hash" is the
// set of its candidate hashes and `verifySecret` accepts any of them. Services log in with an
// API key: username `service:<key prefix>`, password the full key (or only its secret part).
// On the TLS port, devices log in with a client certificate, found by its fingerprint.
import type { Kysely } from 'kysely';
import { findApiKeyByPrefix } from '../api-keys/api-key-repository.ts';
import { parseApiKey } from '../auth/api-key-format.ts';
import { secretMatches } from '../auth/secret-token.ts';
import type { Database } from '../db/database.ts';
import { findCertificateByFingerprint } from '../devices/certificate-repository.ts';
import type { Role } from '../db/tables/users.ts';
import type { CredentialStore, ServiceRole } from './authorize.ts';

/** REST roles map onto MQTT service roles: operators run backends, viewers observe. */
export const SERVICE_ROLE_OF: Record<Role, ServiceRole> = { admin: 'admin', operator: 'backend', viewer: 'observer' };

// Hex SHA-256 hashes never contain a comma, so a list of them joins unambiguously.
const SEPARATOR = ',';

export function createCredentialStore(db: Kysely<Database>): CredentialStore {
  return {
    async lookupDevice(deviceId) {
      const rows = await db.selectFrom('device_credentials').select(['secret_hash', 'revoked_at']).where('device_id', '=', deviceId).execute();
      if (rows.length === 0) return undefined;
      const active = rows.filter((r) => r.revoked_at === null);
      // With no active credential, the revoked ones are checked so that the right (old) secret
      // hears "revoked" (5, stop retrying) rather than "bad password" (4).
      const candidates = active.length > 0 ? active : rows;
      return { secretHash: candidates.map((r) => r.secret_hash).join(SEPARATOR), revoked: active.length === 0 };
    },
    async lookupServiceKey(keyId) {
      const row = await findApiKeyByPrefix(db, keyId);
      if (!row) return undefined;
      return { secretHash: row.hash, revoked: row.revoked_at !== null, role: SERVICE_ROLE_OF[row.role] };
    },
    async lookupCertificate(fingerprint) {
      const row = await findCertificateByFingerprint(db, fingerprint);
      return row && { deviceId: row.device_id, revoked: row.revoked_at !== null };
    },
    async verifySecret(secret, secretHash) {
      const candidate = parseApiKey(secret)?.secret ?? secret;
      // Every hash is checked (no early exit), so timing does not tell which one matched.
      let ok = false;
      for (const hash of secretHash.split(SEPARATOR)) ok = secretMatches(candidate, hash) || ok;
      return ok;
    },
  };
}

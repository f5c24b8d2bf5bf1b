import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { ApiKeyRow } from '../db/tables/api-keys.ts';
import type { Role } from '../db/tables/users.ts';

type Db = Kysely<Database>;

export async function insertApiKey(
  db: Db,
  key: { name: string; prefix: string; hash: string; role: Role; createdBy: number | null },
): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({ name: key.name, prefix: key.prefix, hash: key.hash, role: key.role, created_by: key.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApiKeyByPrefix(db: Db, prefix: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst();
}

export async function listApiKeys(db: Db, page: { afterId?: number; limit: number }): Promise<ApiKeyRow[]> {
  let q = db.selectFrom('api_keys').selectAll().orderBy('id').limit(page.limit);
  if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
  return q.execute();
}

/** Returns the key as revoked, or undefined when no such key exists. Revoking twice is a no-op. */
export async function revokeApiKey(db: Db, id: number, at: Date): Promise<ApiKeyRow | undefined> {
  await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchApiKey(db: Db, id: number, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}

import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Role, UserRow } from '../db/tables/users.ts';

type Db = Kysely<Database>;

export async function insertUser(db: Db, user: { username: string; passwordHash: string; role: Role }): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({ username: user.username, password_hash: user.passwordHash, role: user.role })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

/** Keyset page ordered by id: stable while rows are added or removed between pages. */
export async function listUsers(db: Db, page: { afterId?: number; limit: number }): Promise<UserRow[]> {
  let q = db.selectFrom('users').selectAll().orderBy('id').limit(page.limit);
  if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
  return q.execute();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Ids of every admin, row-locked until the caller's transaction ends, so two concurrent
 * requests cannot each remove "another" admin and leave none.
 */
export async function lockAdminIds(trx: Db): Promise<number[]> {
  const rows = await trx.selectFrom('users').select('id').where('role', '=', 'admin').forUpdate().execute();
  return rows.map((r) => r.id);
}

export async function updateUser(
  db: Db,
  id: number,
  patch: { role?: Role; passwordHash?: string },
): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteUser(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

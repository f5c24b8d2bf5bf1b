import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { GroupRow } from '../db/tables/groups.ts';

type Db = Kysely<Database>;

export type GroupWithCount = GroupRow & { device_count: number };

export async function insertGroup(db: Db, group: { name: string; description: string }): Promise<GroupRow> {
  return db.insertInto('groups').values(group).returningAll().executeTakeFirstOrThrow();
}

function withCounts(db: Db) {
  return db
    .selectFrom('groups')
    .selectAll('groups')
    .select((eb) =>
      eb
        .selectFrom('device_groups')
        .select((eb2) => eb2.fn.countAll<number | string>().as('n'))
        .whereRef('device_groups.group_name', '=', 'groups.name')
        .as('device_count'),
    );
}

function normalize(row: GroupRow & { device_count: number | string | null }): GroupWithCount {
  return { ...row, device_count: Number(row.device_count ?? 0) };
}

export async function findGroup(db: Db, name: string): Promise<GroupWithCount | undefined> {
  const row = await withCounts(db).where('groups.name', '=', name).executeTakeFirst();
  return row && normalize(row);
}

export async function listGroups(db: Db, page: { afterName?: string; limit: number }): Promise<GroupWithCount[]> {
  let q = withCounts(db).orderBy('groups.name').limit(page.limit);
  if (page.afterName !== undefined) q = q.where('groups.name', '>', page.afterName);
  return (await q.execute()).map(normalize);
}

export async function deleteGroup(db: Db, name: string): Promise<boolean> {
  const result = await db.deleteFrom('groups').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Idempotent: adding a member twice leaves one membership. */
export async function addDeviceToGroup(db: Db, groupName: string, deviceId: string): Promise<void> {
  await db
    .insertInto('device_groups')
    .values({ group_name: groupName, device_id: deviceId })
    .onConflict((oc) => oc.columns(['group_name', 'device_id']).doNothing())
    .execute();
}

export async function removeDeviceFromGroup(db: Db, groupName: string, deviceId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('device_groups')
    .where('group_name', '=', groupName)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

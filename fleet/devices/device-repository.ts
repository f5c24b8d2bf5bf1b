import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { DeviceRow } from '../db/tables/devices.ts';

type Db = Kysely<Database>;

export interface NewDevice {
  id: string;
  name: string;
  hardwareRevision?: string | null;
  firmwareVersion?: string | null;
  modelVersion?: string | null;
  tags: string[];
}

export interface DeviceFilter {
  group?: string;
  tag?: string;
  online?: boolean;
  afterId?: string;
  limit: number;
}

export async function insertDevice(db: Db, device: NewDevice): Promise<DeviceRow> {
  return db
    .insertInto('devices')
    .values({
      id: device.id,
      name: device.name,
      hardware_revision: device.hardwareRevision ?? null,
      firmware_version: device.firmwareVersion ?? null,
      model_version: device.modelVersion ?? null,
      tags: JSON.stringify(device.tags),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findDevice(db: Db, id: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One device with its group names (sorted), in one query. */
export async function findDeviceWithGroups(db: Db, id: string): Promise<{ row: DeviceRow; groups: string[] } | undefined> {
  const found = await db
    .selectFrom('devices')
    .selectAll('devices')
    .select(sql<string[] | null>`(select json_agg(g.group_name order by g.group_name) from device_groups g where g.device_id = devices.id)`.as('group_names'))
    .where('id', '=', id)
    .executeTakeFirst();
  if (!found) return undefined;
  const { group_names, ...row } = found;
  return { row: row as DeviceRow, groups: group_names ?? [] };
}

export async function deviceExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('devices').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Keyset page ordered by id, filtered by group membership, tag and online state. */
export async function listDevices(db: Db, filter: DeviceFilter): Promise<DeviceRow[]> {
  let q = db.selectFrom('devices').selectAll('devices').orderBy('devices.id').limit(filter.limit);
  if (filter.afterId !== undefined) q = q.where('devices.id', '>', filter.afterId);
  if (filter.online !== undefined) q = q.where('devices.online', '=', filter.online);
  if (filter.tag !== undefined) {
    const tag = filter.tag;
    q = q.where(sql<boolean>`devices.tags @> ${JSON.stringify([tag])}::jsonb`);
  }
  if (filter.group !== undefined) {
    const group = filter.group;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('device_groups')
          .select('device_groups.device_id')
          .whereRef('device_groups.device_id', '=', 'devices.id')
          .where('device_groups.group_name', '=', group),
      ),
    );
  }
  return q.execute();
}

export async function updateDevice(
  db: Db,
  id: string,
  patch: { name?: string; tags?: string[] },
): Promise<DeviceRow | undefined> {
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.tags !== undefined ? { tags: JSON.stringify(patch.tags) } : {}),
  };
  if (Object.keys(set).length === 0) return findDevice(db, id);
  return db.updateTable('devices').set(set).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteDevice(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('devices').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Presence, written by the broker hooks on connect and disconnect. */
export async function setDevicePresence(db: Db, id: string, online: boolean, at: Date): Promise<void> {
  await db.updateTable('devices').set({ online, last_seen: at }).where('id', '=', id).execute();
}

/** Group names of each device, for a page of devices in one query. */
export async function groupsOfDevices(db: Db, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('device_groups')
    .select(['device_id', 'group_name'])
    .where('device_id', 'in', ids)
    .orderBy('group_name')
    .execute();
  for (const row of rows) out.get(row.device_id)?.push(row.group_name);
  return out;
}

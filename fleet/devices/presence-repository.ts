// Presence as the broker sees it. Each connection is a session with a unique id; going
// offline names the session, so the late disconnect of a session that was taken over (by a
// reconnect, possibly on another node) leaves the newer session's `online` alone.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';

type Db = Kysely<Database>;

export async function markDeviceOnline(db: Db, deviceId: string, session: string, at: Date): Promise<void> {
  await db.updateTable('devices').set({ online: true, last_seen: at, presence_session: session }).where('id', '=', deviceId).execute();
}

/** Marks the device offline only if `session` is still the one that set it online. */
export async function markDeviceOffline(db: Db, deviceId: string, session: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('devices')
    .set({ online: false, last_seen: at, presence_session: null })
    .where('id', '=', deviceId)
    .where('presence_session', '=', session)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Activity without a change of state (telemetry, status): keeps last_seen fresh. */
export async function touchDevice(db: Db, deviceId: string, at: Date): Promise<void> {
  await db.updateTable('devices').set({ last_seen: at }).where('id', '=', deviceId).execute();
}

/**
 * At start, devices this node's previous run left `online` are not connected any more. With
 * one node every online flag is stale; with several, only sessions named with this node's
 * prefix are (node ids are stable per node).
 */
export async function clearStalePresence(db: Db, sessionPrefix: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('devices')
    .set({ online: false, last_seen: at, presence_session: null })
    .where('online', '=', true)
    .where('presence_session', 'like', `${sessionPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// Shadows and their history in the database. A write names the version it read as a guard in
// the WHERE clause (compare-and-set), so two nodes racing on one shadow cannot both win: the
// loser sees zero rows updated and retries from a fresh read.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { JsonObject } from './json-value.ts';
import type { ShadowDocument } from './shadow-document.ts';
import { emptyShadow } from './shadow-document.ts';
import type { MetadataTree } from './shadow-merge.ts';
import type { HistoryEntry } from './shadow-update.ts';

type Db = Kysely<Database>;

/**
 * The stored document; a device never written has the empty shadow at version 0. With
 * `forUpdate` (inside a transaction) the row is locked until commit, so concurrent writers queue
 * instead of all reading one version and all but one losing the compare-and-set.
 */
export async function loadShadow(db: Db, deviceId: string, options: { forUpdate?: boolean } = {}): Promise<ShadowDocument> {
  let q = db.selectFrom('shadows').selectAll().where('device_id', '=', deviceId);
  if (options.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) return emptyShadow();
  const metadata = row.metadata as { desired?: MetadataTree; reported?: MetadataTree };
  return {
    state: { desired: row.desired as JsonObject, reported: row.reported as JsonObject },
    metadata: { desired: metadata.desired ?? {}, reported: metadata.reported ?? {} },
    version: row.version,
  };
}

/**
 * Stores `next` if the shadow is still at `expectedVersion`. Returns false when another writer
 * got there first (the caller retries). Version 0 means "no row yet": the insert is the guard.
 */
export async function storeShadowIfVersion(db: Db, deviceId: string, expectedVersion: number, next: ShadowDocument, at: Date): Promise<boolean> {
  const values = {
    version: next.version,
    desired: JSON.stringify(next.state.desired),
    reported: JSON.stringify(next.state.reported),
    metadata: JSON.stringify(next.metadata),
    updated_at: at,
  };
  if (expectedVersion === 0) {
    const inserted = await db
      .insertInto('shadows')
      .values({ device_id: deviceId, ...values })
      .onConflict((oc) => oc.column('device_id').doNothing())
      .returning('device_id')
      .executeTakeFirst();
    return inserted !== undefined;
  }
  const updated = await db
    .updateTable('shadows')
    .set(values)
    .where('device_id', '=', deviceId)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

export async function insertShadowHistory(db: Db, deviceId: string, entry: HistoryEntry): Promise<void> {
  await db
    .insertInto('shadow_history')
    .values({ device_id: deviceId, version: entry.version, actor: entry.actor, change: JSON.stringify(entry.change), at: new Date(entry.at) })
    .execute();
}

export interface ShadowHistoryRow {
  version: number;
  actor: string;
  change: HistoryEntry['change'];
  at: Date;
}

/** Newest first, keyset-paginated by version. */
export async function listShadowHistory(db: Db, deviceId: string, page: { beforeVersion?: number; limit: number }): Promise<ShadowHistoryRow[]> {
  let q = db
    .selectFrom('shadow_history')
    .select(['version', 'actor', 'change', 'at'])
    .where('device_id', '=', deviceId)
    .orderBy('version', 'desc')
    .limit(page.limit);
  if (page.beforeVersion !== undefined) q = q.where('version', '<', page.beforeVersion);
  const rows = await q.execute();
  return rows.map((r) => ({ version: Number(r.version), actor: r.actor, change: r.change as HistoryEntry['change'], at: r.at }));
}

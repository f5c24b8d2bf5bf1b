// Rows of `artifacts`: what the fleet knows about each stored bundle. Written only after the
// bundle verified; the bytes are in the artifact store under the same id.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { ArtifactRow } from '../db/tables/artifacts.ts';
import type { Manifest } from '../../host/bundle/index.ts';

type Db = Kysely<Database>;

/** A row with its bigint columns as numbers (pg returns them as strings). */
export interface Artifact {
  id: string;
  size: number;
  kind: string;
  version: string;
  hardware: string[];
  counter: number;
  keyId: string;
  manifest: Manifest;
  uploadedBy: string | null;
  createdAt: Date;
}

export interface NewArtifact {
  id: string;
  size: number;
  keyId: string;
  manifest: Manifest;
  uploadedBy: string | null;
  createdAt: Date;
}

function toArtifact(row: ArtifactRow): Artifact {
  return {
    id: row.id,
    size: Number(row.size),
    kind: row.kind,
    version: row.version,
    hardware: row.hardware,
    counter: Number(row.counter),
    keyId: row.key_id,
    manifest: row.manifest as unknown as Manifest,
    uploadedBy: row.uploaded_by,
    createdAt: row.created_at,
  };
}

/** Inserts the row unless it exists; answers the stored row and whether this call created it. */
export async function insertArtifact(db: Db, artifact: NewArtifact): Promise<{ artifact: Artifact; created: boolean }> {
  const inserted = await db
    .insertInto('artifacts')
    .values({
      id: artifact.id,
      size: artifact.size,
      kind: artifact.manifest.kind,
      version: artifact.manifest.version,
      hardware: JSON.stringify(artifact.manifest.hardware),
      counter: artifact.manifest.counter,
      key_id: artifact.keyId,
      manifest: JSON.stringify(artifact.manifest),
      uploaded_by: artifact.uploadedBy,
      created_at: artifact.createdAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { artifact: toArtifact(inserted), created: true };
  const existing = await findArtifact(db, artifact.id);
  if (!existing) throw new Error(`artifact ${artifact.id} neither inserted nor found`);
  return { artifact: existing, created: false };
}

export async function findArtifact(db: Db, id: string): Promise<Artifact | undefined> {
  const row = await db.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toArtifact(row);
}

/** Newest first; the keyset is (created_at, id), both compared exactly (created_at is written in ms). */
export async function listArtifacts(db: Db, filter: { kind?: string; before?: { createdAt: Date; id: string }; limit: number }): Promise<Artifact[]> {
  let q = db.selectFrom('artifacts').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  const before = filter.before;
  if (before) {
    q = q.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
  }
  return (await q.execute()).map(toArtifact);
}

/** False if there was no such row. A row still referenced (a rollout) throws the foreign-key violation. */
export async function deleteArtifact(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('artifacts').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

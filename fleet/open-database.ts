// The database a configuration names, migrated to the latest schema. Shared by `serve`
// and `create-admin` so both always see the same, current schema.
import type { Kysely } from 'kysely';
import { pgliteDir, type Config } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import type { Database } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';

export async function openMigratedDatabase(config: Config): Promise<{ db: Kysely<Database>; applied: string[] }> {
  const db = connectDatabase(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: pgliteDir(config) });
  try {
    return { db, applied: await migrateToLatest(db) };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

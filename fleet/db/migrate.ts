// Forward-only migrations, run at start before anything else touches the database.
import { sql, type Kysely } from 'kysely';
import { Migrator, type MigrationResult } from 'kysely/migration';
import { migrationProvider } from './migrations/index.ts';

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: readonly MigrationResult[] | undefined,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  // Name the schema of the migration tables: without it Kysely looks for them in every schema,
  // so a database holding another schema's kysely_migration_lock (another node's, or a parallel
  // test's) would skip creating ours and fail on "relation does not exist".
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: rows[0]?.schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`migration ${failed} failed: ${(error as Error).message ?? String(error)}`, results);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

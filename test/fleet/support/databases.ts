// The two database implementations every repository must behave the same on. PGlite runs
// always (in memory); PostgreSQL runs when TEST_DATABASE_URL is set, isolated in a fresh
// schema that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql, type Kysely } from 'kysely';
import { connectDatabase } from '../../../fleet/db/connect.ts';
import type { Database } from '../../../fleet/db/database.ts';
import { migrateToLatest } from '../../../fleet/db/migrate.ts';

export interface TestDatabase {
  name: string;
  db: Kysely<Database>;
  close(): Promise<void>;
}

export async function openPglite(): Promise<TestDatabase> {
  const db = connectDatabase({ kind: 'pglite-instance', pglite: new PGlite() });
  await migrateToLatest(db);
  return { name: 'PGlite', db, close: () => db.destroy() };
}

export const postgresUrl = process.env.TEST_DATABASE_URL;
export const postgresSkipReason = 'TEST_DATABASE_URL is not set: the PostgreSQL run is skipped (export TEST_DATABASE_URL=postgres://... to run it)';

export async function openPostgres(url: string): Promise<TestDatabase> {
  const schema = `fleet_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = connectDatabase({ kind: 'postgres', url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  const db = connectDatabase({ kind: 'postgres', url, searchPath: schema, poolSize: 4 });
  await migrateToLatest(db);
  return {
    name: 'PostgreSQL',
    db,
    async close() {
      await db.destroy();
      await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
      await admin.destroy();
    },
  };
}

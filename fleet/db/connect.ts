// Opens the one database the fleet uses: PostgreSQL through pg when a URL is given,
// embedded PGlite otherwise. Both are handed back as the same Kysely<Database>.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; searchPath?: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string }
  | { kind: 'pglite-instance'; pglite: PGlite };

const INT8_OID = 20;

// pg returns bigint (int8) as a string and PGlite as a number; make pg match so callers
// see one behaviour. Values beyond 2^53 do not occur here (versions, counters, ids).
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

const pools = new WeakMap<Kysely<Database>, pg.Pool>();

/**
 * The pg pool behind a database that `connectDatabase` opened on PostgreSQL, for what Kysely does
 * not speak (COPY); undefined for PGlite and for a transaction.
 */
export function postgresPool(db: Kysely<Database>): pg.Pool | undefined {
  return pools.get(db);
}

export function connectDatabase(target: DatabaseTarget): Kysely<Database> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      types: pgTypes,
      connectionTimeoutMillis: 5_000,
      ...(target.searchPath ? { options: `-c search_path=${target.searchPath}` } : {}),
    });
    // An idle client that loses its server emits 'error' on the pool; without a listener
    // that would crash the process instead of failing the next query.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    pools.set(db, pool);
    return db;
  }
  if (target.kind === 'pglite') {
    if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
    const pglite = new PGlite(target.dataDir);
    return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  }
  return new Kysely<Database>({ dialect: new PGliteDialect({ pglite: target.pglite }) });
}

// Ingest batches into PostgreSQL with one binary COPY per batch (telemetry-copy-format.ts): the
// cheapest way into the table for the server and for this process, and one statement, so it is
// atomic and committed when the COPY completes. Kysely does not speak COPY, so this takes the
// pg pool itself; PGlite (no pool) keeps the INSERT of telemetry-repository.ts.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TelemetryRow } from './telemetry-batch.ts';
import { encodeTelemetryCopy, TELEMETRY_COPY_COLUMNS } from './telemetry-copy-format.ts';

const COPY = `copy telemetry (${TELEMETRY_COPY_COLUMNS.join(', ')}) from stdin (format binary)`;

/** Stores the rows atomically; resolves once they are committed. */
export async function copyTelemetryRows(pool: pg.Pool, rows: readonly TelemetryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const input = encodeTelemetryCopy(rows);
  const client = await pool.connect();
  try {
    // pg-copy-streams emits 'finish' only after the server's ReadyForQuery: the rows are committed.
    await pipeline(Readable.from([input]), client.query(copyFrom(COPY)));
    client.release();
  } catch (error) {
    // A connection whose COPY failed half-way is not handed to the next query.
    client.release(true);
    throw error;
  }
}

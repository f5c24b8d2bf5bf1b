// Telemetry ingest: the batching policy (`createBatcher`) wired to the database. Rows of many
// messages (about one row per message) go into one statement; each message's ack (its PUBACK)
// runs only after that statement commits, and with an error when it fails, so nothing
// acknowledged is unstored. Batch limits count samples, which is what a write costs.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { FleetMetrics } from '../observability/fleet-metrics.ts';
import { createBatcher, type Ack, type AddOutcome, type BatcherClock, type BatcherStats } from './ingest-batcher.ts';
import type { TelemetryRow } from './telemetry-batch.ts';
import { insertTelemetryRows } from './telemetry-repository.ts';

export interface TelemetryIngestOptions {
  db: Kysely<Database>;
  metrics?: FleetMetrics;
  /** Flush once this many samples wait. */
  maxSamples?: number;
  maxDelayMs?: number;
  /** Refuse messages beyond this many queued samples (backpressure). */
  maxQueuedSamples?: number;
  /**
   * Concurrent batch writes (default 2: one batch's commit, mostly its WAL flush, overlaps the
   * next batch's insert; acks still go out in arrival order).
   */
  maxInFlight?: number;
  clock?: BatcherClock;
  /** Writes one batch inside the given transaction; the default inserts into `telemetry`. Tests replace it to make writes fail. */
  write?: (trx: Kysely<Database>, rows: readonly TelemetryRow[]) => Promise<void>;
  onError?: (error: unknown, samples: number) => void;
}

export interface TelemetryIngest {
  /** Queues a message's rows; `ack` runs after commit (or with an error). */
  submit(rows: readonly TelemetryRow[], ack: Ack): AddOutcome;
  stats(): BatcherStats;
  /** Refuses new messages, flushes the queue and waits for every batch to settle. */
  close(): Promise<void>;
}

export const realClock: BatcherClock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function createTelemetryIngest(options: TelemetryIngestOptions): TelemetryIngest {
  const { db, metrics } = options;
  const clock = options.clock ?? realClock;
  // The default write is one statement, atomic and committed on its own (no BEGIN/COMMIT round
  // trips); a caller's write gets a transaction around it.
  const custom = options.write;
  const write = custom ? (rows: readonly TelemetryRow[]) => db.transaction().execute((trx) => custom(trx, rows)) : (rows: readonly TelemetryRow[]) => insertTelemetryRows(db, rows);
  let idle: (() => void) | undefined;

  const batcher = createBatcher<TelemetryRow>({
    // Sized for load: a batch takes everything queued up to maxSamples, so under load batches
    // grow (fewer statements per message) and when idle a message waits at most maxDelayMs.
    sizeOf: (row) => row.samples.length,
    maxRows: options.maxSamples ?? 4000,
    maxDelayMs: options.maxDelayMs ?? 5,
    maxQueuedRows: options.maxQueuedSamples ?? 40_000,
    maxInFlight: options.maxInFlight ?? 2,
    clock,
    flush(batch) {
      write(batch.rows)
        .then(
          () => {
            metrics?.ingestBatchSize.observe(batch.size);
            batcher.settle(batch.id);
          },
          (error: unknown) => {
            options.onError?.(error, batch.size);
            batcher.settle(batch.id, error instanceof Error ? error : new Error(String(error)));
          },
        )
        .finally(checkIdle);
    },
  });

  function checkIdle(): void {
    const s = batcher.stats();
    if (idle && s.queuedRows === 0 && s.inFlightBatches === 0) idle();
  }

  return {
    submit(rows, ack) {
      const started = clock.now();
      return batcher.add(rows, (error) => {
        if (!error) metrics?.ingestLag.observe((clock.now() - started) / 1000);
        ack(error);
      });
    },
    stats: () => batcher.stats(),
    close() {
      return new Promise<void>((resolve) => {
        idle = resolve;
        batcher.close();
        checkIdle();
      });
    },
  };
}

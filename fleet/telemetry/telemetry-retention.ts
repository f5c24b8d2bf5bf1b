// Retention by age: a periodic delete of telemetry (and, if configured, events) older than the
// configured age. The clock and the timer are handed in, so a test moves time instead of waiting.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { deleteEventsBefore } from '../events/event-repository.ts';
import { deleteTelemetryBefore } from './telemetry-repository.ts';

export interface RetentionClock {
  now(): number;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface RetentionOptions {
  db: Kysely<Database>;
  telemetryMaxAgeMs: number;
  /** Events are kept forever when unset: they are few and often needed long after. */
  eventsMaxAgeMs?: number;
  intervalMs?: number;
  clock?: RetentionClock;
  onError?: (error: unknown) => void;
}

export interface Retention {
  /** One pass now; resolves with the rows deleted. */
  runOnce(): Promise<{ telemetry: number; events: number }>;
  stop(): Promise<void>;
}

const realClock: RetentionClock = {
  now: () => Date.now(),
  setInterval: (callback, ms) => setInterval(callback, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export function startRetention(options: RetentionOptions): Retention {
  const clock = options.clock ?? realClock;
  let running: Promise<{ telemetry: number; events: number }> | undefined;

  async function pass(): Promise<{ telemetry: number; events: number }> {
    const now = clock.now();
    const telemetry = await deleteTelemetryBefore(options.db, new Date(now - options.telemetryMaxAgeMs));
    const events = options.eventsMaxAgeMs === undefined ? 0 : await deleteEventsBefore(options.db, new Date(now - options.eventsMaxAgeMs));
    return { telemetry, events };
  }

  function runOnce() {
    // Never two passes at once: a slow delete must not pile up behind the timer.
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  const handle = clock.setInterval(() => {
    runOnce().catch((error: unknown) => options.onError?.(error));
  }, options.intervalMs ?? 3_600_000);

  return {
    runOnce,
    async stop() {
      clock.clearInterval(handle);
      await running?.catch(() => {});
    },
  };
}

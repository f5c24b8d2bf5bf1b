// The ingest batching policy: gather telemetry rows from many messages into one insert, and hold
// each message's acknowledgement (its QoS 1 PUBACK) until the insert that contains it is
// committed. A failed insert nacks every message in it, so the broker never acknowledges a row
// that is not stored. The batcher does no I/O: it is handed its clock and timers, and it hands
// each batch to a `flush` callback; the caller writes it and reports back with `settle`.

export type Ack = (error?: Error) => void;

export interface BatcherClock {
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface Batch<R> {
  id: number;
  rows: R[];
  /** Total size of the rows (`sizeOf`). */
  size: number;
  /** Messages whose acks ride on this batch. */
  messages: number;
}

export interface BatcherOptions<R> {
  /**
   * How much of the limits below one row takes (default 1). Telemetry counts samples: a row is
   * one message's samples, and what a batch costs to write grows with them.
   */
  sizeOf?(row: R): number;
  /** Flush once rows of this total size wait. A batch holds whole messages, so one large message may exceed it. */
  maxRows: number;
  /** Flush a partial batch once its oldest message has waited this long. */
  maxDelayMs: number;
  /** Refuse new messages beyond this total size of queued rows (backpressure). Default 10 x maxRows. */
  maxQueuedRows?: number;
  /**
   * Concurrent inserts (default 1). Acks still go out in batch order: a batch that commits before
   * an earlier one waits for it, so no message is acknowledged before one received earlier.
   */
  maxInFlight?: number;
  clock: BatcherClock;
  /** Start writing a batch; call `settle(batch.id, error?)` when the transaction ends. */
  flush(batch: Batch<R>): void;
  /** An ack callback threw; the other acks of the batch still run. */
  onAckError?(error: unknown): void;
}

export type AddOutcome = 'queued' | 'acked' | 'refused';

/** Row counts are sizes (`sizeOf`); messages and batches are counted. */
export interface BatcherStats {
  queuedRows: number;
  queuedMessages: number;
  inFlightBatches: number;
  inFlightRows: number;
}

export interface Batcher<R> {
  /**
   * Queues one message's rows. 'acked': nothing to store, acked at once. 'refused': overloaded or
   * closed; the ack has been called with an error and the caller should not PUBACK.
   */
  add(rows: readonly R[], ack: Ack): AddOutcome;
  /** Reports the end of a batch's transaction: no error means committed. Returns false for unknown ids. */
  settle(batchId: number, error?: Error): boolean;
  /** Flush whatever is queued now, ignoring size and delay (shutdown, tests). */
  flushNow(): void;
  /** Stop accepting messages and flush the rest; `stats()` reaches all zeros when done. */
  close(): void;
  stats(): BatcherStats;
}

interface Pending<R> {
  rows: readonly R[];
  size: number;
  ack: Ack;
  at: number;
}

export function createBatcher<R>(options: BatcherOptions<R>): Batcher<R> {
  const { maxRows, maxDelayMs, clock } = options;
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError('maxRows must be a positive integer');
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) throw new RangeError('maxDelayMs must be >= 0');
  const maxQueuedRows = options.maxQueuedRows ?? 10 * maxRows;
  const maxInFlight = options.maxInFlight ?? 1;
  const sizeOf = options.sizeOf;
  const measure = (rows: readonly R[]) => (sizeOf ? rows.reduce((sum, row) => sum + sizeOf(row), 0) : rows.length);

  const queue: Pending<R>[] = [];
  let queuedRows = 0;
  // Dispatched and not yet acked, in id (= dispatch) order; `outcomes` holds the batches whose
  // transaction has ended but which wait for an earlier one.
  const inFlight = new Map<number, Pending<R>[]>();
  const outcomes = new Map<number, Error | undefined>();
  let inFlightRows = 0;
  let nextId = 1;
  let timer: unknown;
  let closed = false;

  function callAcks(messages: Pending<R>[], error?: Error): void {
    for (const message of messages) {
      try {
        message.ack(error);
      } catch (thrown) {
        options.onAckError?.(thrown);
      }
    }
  }

  function dispatch(): void {
    const messages: Pending<R>[] = [];
    const rows: R[] = [];
    let size = 0;
    while (queue.length > 0 && (messages.length === 0 || size + queue[0]!.size <= maxRows)) {
      const message = queue.shift()!;
      messages.push(message);
      for (const row of message.rows) rows.push(row);
      size += message.size;
    }
    queuedRows -= size;
    inFlightRows += size;
    const id = nextId++;
    inFlight.set(id, messages);
    options.flush({ id, rows, size, messages: messages.length });
  }

  const writing = () => inFlight.size - outcomes.size;

  function pump(force: boolean): void {
    while (writing() < maxInFlight && queue.length > 0) {
      const full = queuedRows >= maxRows;
      const due = clock.now() - queue[0]!.at >= maxDelayMs;
      if (!full && !due && !force && !closed) break;
      dispatch();
    }
    rearm();
  }

  // One timer, for the oldest queued message. Not armed while writers are busy: `settle` pumps
  // then, and a due timer that cannot dispatch would only spin.
  function rearm(): void {
    if (timer !== undefined) {
      clock.clearTimer(timer);
      timer = undefined;
    }
    if (queue.length === 0 || writing() >= maxInFlight) return;
    const wait = Math.max(0, queue[0]!.at + maxDelayMs - clock.now());
    timer = clock.setTimer(() => {
      timer = undefined;
      pump(false);
    }, wait);
  }

  return {
    add(rows, ack) {
      if (closed) {
        callAcks([{ rows, size: 0, ack, at: 0 }], new Error('ingest is shutting down'));
        return 'refused';
      }
      if (rows.length === 0) {
        callAcks([{ rows, size: 0, ack, at: 0 }]);
        return 'acked';
      }
      const size = measure(rows);
      if (queuedRows + size > maxQueuedRows) {
        callAcks([{ rows, size, ack, at: 0 }], new Error(`ingest overloaded: ${queuedRows} rows queued`));
        return 'refused';
      }
      queue.push({ rows, size, ack, at: clock.now() });
      queuedRows += size;
      // Only the first message (which arms the timer) or a full batch changes what pump decides.
      if (queue.length === 1 || queuedRows >= maxRows) pump(false);
      return 'queued';
    },
    settle(batchId, error) {
      if (!inFlight.has(batchId) || outcomes.has(batchId)) return false;
      outcomes.set(batchId, error);
      for (const [id, messages] of inFlight) {
        if (!outcomes.has(id)) break;
        const outcome = outcomes.get(id);
        inFlight.delete(id);
        outcomes.delete(id);
        inFlightRows -= messages.reduce((sum, message) => sum + message.size, 0);
        callAcks(messages, outcome);
      }
      pump(false);
      return true;
    },
    flushNow() {
      pump(true);
    },
    close() {
      closed = true;
      pump(true);
    },
    stats() {
      return { queuedRows, queuedMessages: queue.length, inFlightBatches: inFlight.size, inFlightRows };
    },
  };
}

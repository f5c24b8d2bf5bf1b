import t from 'tap';
import { createBatcher } from '../../../fleet/telemetry/ingest-batcher.ts';
import type { Batch, BatcherClock } from '../../../fleet/telemetry/ingest-batcher.ts';

/** A manual clock: timers fire only when the test advances time. */
function fakeClock() {
  let now = 0;
  let nextHandle = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const clock: BatcherClock = {
    now: () => now,
    setTimer(callback, ms) {
      const handle = nextHandle++;
      timers.set(handle, { at: now + ms, callback });
      return handle;
    },
    clearTimer(handle) {
      timers.delete(handle as number);
    },
  };
  return {
    clock,
    pending: () => timers.size,
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = end;
    },
  };
}

function harness(options: { maxRows: number; maxDelayMs: number; maxQueuedRows?: number; maxInFlight?: number }) {
  const time = fakeClock();
  const batches: Batch<number>[] = [];
  const acks: Array<[string, Error | undefined]> = [];
  const batcher = createBatcher<number>({ ...options, clock: time.clock, flush: (batch) => batches.push(batch) });
  const add = (name: string, rows: number[]) => batcher.add(rows, (error) => acks.push([name, error]));
  return { time, batches, acks, batcher, add };
}

t.test('flushes when full, acks only after commit', async (t) => {
  const { batches, acks, batcher, add } = harness({ maxRows: 4, maxDelayMs: 100 });
  t.equal(add('m1', [1, 2]), 'queued');
  t.equal(batches.length, 0);
  add('m2', [3, 4]);
  t.equal(batches.length, 1, 'four rows: flush');
  t.same(batches[0], { id: 1, rows: [1, 2, 3, 4], size: 4, messages: 2 });
  t.same(acks, [], 'nothing acked before commit');
  t.same(batcher.stats(), { queuedRows: 0, queuedMessages: 0, inFlightBatches: 1, inFlightRows: 4 });
  t.equal(batcher.settle(1), true);
  t.same(acks, [['m1', undefined], ['m2', undefined]]);
  t.equal(batcher.settle(1), false, 'settling twice is refused');
  t.equal(batcher.settle(99), false);
});

t.test('a failed commit nacks every message of the batch and nothing else', async (t) => {
  const { batches, acks, batcher, add } = harness({ maxRows: 2, maxDelayMs: 100, maxInFlight: 2 });
  add('a', [1, 2]);
  add('b', [3, 4]);
  t.equal(batches.length, 2);
  const failure = new Error('disk full');
  batcher.settle(1, failure);
  t.same(acks, [['a', failure]]);
  batcher.settle(2);
  t.same(acks, [['a', failure], ['b', undefined]]);
});

t.test('several writers: a batch that commits first waits for the earlier one, so acks keep arrival order', async (t) => {
  const { batches, acks, batcher, add } = harness({ maxRows: 2, maxDelayMs: 100, maxInFlight: 2 });
  add('a', [1, 2]);
  add('b', [3, 4]);
  add('c', [5, 6]);
  t.equal(batches.length, 2, 'two writers busy, c queued');
  t.equal(batcher.settle(2), true);
  t.same(acks, [], 'b committed but a has not: nothing acked yet');
  t.equal(batcher.settle(2), false, 'a waiting batch cannot settle twice');
  t.same(batches.map((b) => b.rows), [[1, 2], [3, 4], [5, 6]], "b's writer is free again: c is written");
  t.same(batcher.stats(), { queuedRows: 0, queuedMessages: 0, inFlightBatches: 3, inFlightRows: 6 });
  const failure = new Error('serialization failure');
  batcher.settle(1, failure);
  t.same(acks, [['a', failure], ['b', undefined]], 'a with its own outcome, then b');
  batcher.settle(3);
  t.same(acks.map(([name]) => name), ['a', 'b', 'c']);
  t.same(batcher.stats(), { queuedRows: 0, queuedMessages: 0, inFlightBatches: 0, inFlightRows: 0 });
});

t.test('flushes a partial batch after maxDelayMs, measured from the oldest message', async (t) => {
  const { time, batches, add } = harness({ maxRows: 100, maxDelayMs: 50 });
  add('a', [1]);
  time.advance(30);
  add('b', [2]);
  time.advance(19);
  t.equal(batches.length, 0);
  time.advance(1);
  t.equal(batches.length, 1);
  t.same(batches[0]!.rows, [1, 2]);
  t.equal(time.pending(), 0, 'no timer left with an empty queue');
});

t.test('whole messages only: a batch never splits a message', async (t) => {
  const { batches, batcher, add } = harness({ maxRows: 3, maxDelayMs: 10, maxInFlight: 5 });
  add('a', [1, 2]);
  add('b', [3, 4]); // 4 rows queued -> flush; b does not fit with a
  t.same(batches.map((b) => b.rows), [[1, 2]]);
  add('big', [5, 6, 7, 8, 9]); // larger than maxRows: b alone, then big alone
  t.same(batches.map((b) => b.rows), [[1, 2], [3, 4], [5, 6, 7, 8, 9]]);
  t.same(batcher.stats().queuedRows, 0);
});

t.test('one writer: rows gather while a batch is in flight, then flush on settle', async (t) => {
  const { time, batches, batcher, add } = harness({ maxRows: 2, maxDelayMs: 10 });
  add('a', [1, 2]);
  add('b', [3]);
  add('c', [4]);
  add('d', [5]);
  t.equal(batches.length, 1, 'in-flight limit holds');
  t.equal(time.pending(), 0, 'no timer spins while the writer is busy');
  time.advance(1000);
  t.equal(batches.length, 1);
  batcher.settle(1);
  t.same(batches.map((b) => b.rows), [[1, 2], [3, 4]], 'overdue rows flush as soon as the writer is free');
  batcher.settle(2);
  t.same(batches[2]!.rows, [5]);
});

t.test('backpressure, empty messages, close', async (t) => {
  const { batches, acks, batcher, add } = harness({ maxRows: 10, maxDelayMs: 10, maxQueuedRows: 3 });
  t.equal(add('empty', []), 'acked');
  t.same(acks, [['empty', undefined]]);
  add('a', [1, 2]);
  t.equal(add('b', [3, 4]), 'refused', 'over the queue limit');
  t.match(acks[1], ['b', { message: /overloaded/ }]);
  batcher.close();
  t.same(batches.map((b) => b.rows), [[1, 2]], 'close flushes what is queued');
  t.equal(add('late', [9]), 'refused');
  t.match(acks[2], ['late', { message: /shutting down/ }]);
  batcher.settle(1);
  t.same(batcher.stats(), { queuedRows: 0, queuedMessages: 0, inFlightBatches: 0, inFlightRows: 0 });
});

t.test('sizeOf: limits and stats count row sizes (telemetry: samples per row), not rows', async (t) => {
  const time = fakeClock();
  const batches: Batch<{ samples: number }>[] = [];
  const acks: Array<[string, Error | undefined]> = [];
  const batcher = createBatcher<{ samples: number }>({ maxRows: 10, maxDelayMs: 100, maxQueuedRows: 25, sizeOf: (row) => row.samples, clock: time.clock, flush: (batch) => batches.push(batch) });
  const add = (name: string, ...sizes: number[]) => batcher.add(sizes.map((samples) => ({ samples })), (error) => acks.push([name, error]));
  add('a', 4);
  t.same(batcher.stats(), { queuedRows: 4, queuedMessages: 1, inFlightBatches: 0, inFlightRows: 0 });
  t.equal(batches.length, 0, 'one row of 4 samples is not a full batch');
  add('b', 3, 3);
  t.equal(batches.length, 1, '10 samples in 3 rows: full');
  t.same(batches[0], { id: 1, rows: [{ samples: 4 }, { samples: 3 }, { samples: 3 }], size: 10, messages: 2 });
  t.same(batcher.stats(), { queuedRows: 0, queuedMessages: 0, inFlightBatches: 1, inFlightRows: 10 });
  add('c', 9);
  add('d', 9);
  t.equal(add('e', 9), 'refused', '27 queued samples would exceed 25');
  t.match(acks, [['e', { message: /overloaded: 18 rows queued/ }]]);
  batcher.settle(1);
  t.same(batches.slice(1).map((b) => b.size), [9], 'c alone: c + d would exceed 10');
  t.same(batcher.stats(), { queuedRows: 9, queuedMessages: 1, inFlightBatches: 1, inFlightRows: 9 });
});

t.test('flushNow ignores thresholds; a throwing ack does not stop the others', async (t) => {
  const time = fakeClock();
  const errors: unknown[] = [];
  const acked: string[] = [];
  const batches: Batch<number>[] = [];
  const batcher = createBatcher<number>({
    maxRows: 10,
    maxDelayMs: 1000,
    clock: time.clock,
    flush: (batch) => batches.push(batch),
    onAckError: (error) => errors.push(error),
  });
  batcher.add([1], () => {
    throw new Error('socket gone');
  });
  batcher.add([2], () => acked.push('second'));
  batcher.flushNow();
  t.equal(batches.length, 1);
  batcher.settle(1);
  t.same(acked, ['second']);
  t.equal(errors.length, 1);
});

t.test('a flush that settles synchronously (re-entrant) keeps the state consistent', async (t) => {
  const time = fakeClock();
  const acked: number[] = [];
  const batcher = createBatcher<number>({
    maxRows: 1,
    maxDelayMs: 5,
    clock: time.clock,
    flush: (batch) => batcher.settle(batch.id),
  });
  for (let i = 0; i < 5; i++) batcher.add([i], () => acked.push(i));
  t.same(acked, [0, 1, 2, 3, 4]);
  t.same(batcher.stats(), { queuedRows: 0, queuedMessages: 0, inFlightBatches: 0, inFlightRows: 0 });
});

t.test('bad options are refused', async (t) => {
  const { clock } = fakeClock();
  t.throws(() => createBatcher({ maxRows: 0, maxDelayMs: 1, clock, flush: () => {} }), RangeError);
  t.throws(() => createBatcher({ maxRows: 1.5, maxDelayMs: 1, clock, flush: () => {} }), RangeError);
  t.throws(() => createBatcher({ maxRows: 1, maxDelayMs: -1, clock, flush: () => {} }), RangeError);
});

t.test('random load: every message is acked exactly once, in arrival order, with its batch outcome', async (t) => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const time = fakeClock();
  const open: Batch<number>[] = [];
  const outcome = new Map<number, boolean>(); // row -> committed?
  const ackCount = new Map<number, number>();
  const batcher = createBatcher<number>({ maxRows: 8, maxDelayMs: 20, maxInFlight: 2, maxQueuedRows: 1000, clock: time.clock, flush: (b) => open.push(b) });
  let row = 0;
  let lastAcked = -1;
  for (let step = 0; step < 2000; step++) {
    const r = rand();
    if (r < 0.5) {
      const rows = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => row++);
      batcher.add(rows, (error) => {
        if (rows[0]! < lastAcked) t.fail(`row ${rows[0]} acked after row ${lastAcked}`);
        lastAcked = rows[rows.length - 1]!;
        for (const x of rows) {
          ackCount.set(x, (ackCount.get(x) ?? 0) + 1);
          if (outcome.get(x) !== (error === undefined)) t.fail(`row ${x} acked with the wrong outcome`);
        }
      });
    } else if (r < 0.8 && open.length > 0) {
      const batch = open.splice(Math.floor(rand() * open.length), 1)[0]!;
      const ok = rand() < 0.8;
      for (const x of batch.rows) outcome.set(x, ok);
      batcher.settle(batch.id, ok ? undefined : new Error('rollback'));
    } else {
      time.advance(Math.floor(rand() * 15));
    }
  }
  batcher.close();
  while (open.length > 0) {
    const batch = open.shift()!;
    for (const x of batch.rows) outcome.set(x, true);
    batcher.settle(batch.id);
  }
  t.equal(ackCount.size, row, 'every row was acked');
  t.ok([...ackCount.values()].every((n) => n === 1), 'exactly once');
});

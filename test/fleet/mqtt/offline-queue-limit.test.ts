// The offline queue limit as a persistence: aedes-persistence's own abstract suite (every
// persistence must pass it) run against the wrapper, then the limit itself over the real
// in-memory persistence, without a broker.
import assert from 'node:assert';
import { createRequire } from 'node:module';
import aedesPersistence from 'aedes-persistence';
import t from 'tap';
import { limitOfflineQueue, type OfflineDropReason } from '../../../fleet/mqtt/offline-queue-limit.ts';

const require = createRequire(import.meta.url);
const memory = aedesPersistence as unknown as () => any;

// The suite is written for node:test (`t.assert`, `t.plan`, `t.diagnostic`); this adapter runs
// each of its tests as a tap subtest, checked by the loose node:assert like node:test's
// `t.assert` (the suite compares a structuredClone'd Buffer with a Buffer). `testAsync` selects
// the promise API, the one Aedes 1.x calls.
const abstractSuite = require('aedes-persistence/abstract.js') as (options: object) => void;
t.test('aedes-persistence abstract suite passes through the wrapper', async (t) => {
  abstractSuite({
    test: (name: string, fn: (nt: object) => Promise<void>) =>
      t.test(name, async (tt) => {
        await fn({ assert, plan() {}, diagnostic: (m: string) => tt.comment(m) });
        tt.pass(name);
      }),
    persistence: () => limitOfflineQueue(memory(), { limits: { maxMessages: 1000, maxBytes: 1 << 20 } }),
    testAsync: true,
  });
});

const BROKER = { id: 'broker-1', counter: 0, clients: {} as Record<string, unknown> };

function packet(n: number, payloadBytes = 10) {
  return { cmd: 'publish', brokerId: BROKER.id, brokerCounter: ++BROKER.counter, topic: 't', payload: Buffer.alloc(payloadBytes, n), qos: 1, retain: false, dup: false };
}

async function queued(persistence: any, clientId: string): Promise<number[]> {
  const out: number[] = [];
  for await (const p of persistence.outgoingStream({ id: clientId })) out.push((p as { payload: Buffer }).payload[0]!);
  return out;
}

async function setup(limits: { maxMessages: number; maxBytes: number }) {
  const drops: Array<[string, OfflineDropReason]> = [];
  const persistence: any = limitOfflineQueue(memory(), { limits, onDrop: (id, reason) => drops.push([id, reason]) });
  await persistence.setup(BROKER);
  return { persistence, drops };
}

t.test('an offline session keeps its newest messages up to the message limit', async (t) => {
  const { persistence, drops } = await setup({ maxMessages: 3, maxBytes: 1 << 20 });
  for (let n = 1; n <= 7; n++) await persistence.outgoingEnqueueCombi([{ clientId: 'a' }, { clientId: 'b' }], packet(n));
  t.same(await queued(persistence, 'a'), [5, 6, 7], 'oldest dropped, order kept');
  t.same(await queued(persistence, 'b'), [5, 6, 7], 'each session has its own limit');
  t.equal(drops.length, 8);
  t.ok(drops.every(([, reason]) => reason === 'messages'));
  await persistence.outgoingEnqueue({ clientId: 'a' }, packet(8));
  t.same(await queued(persistence, 'a'), [6, 7, 8], 'outgoingEnqueue (one session) is limited too');
});

t.test('the byte limit counts topic and payload', async (t) => {
  // Each packet: 1 byte of topic + 99 of payload = 100 bytes.
  const { persistence, drops } = await setup({ maxMessages: 100, maxBytes: 250 });
  for (let n = 1; n <= 4; n++) await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], packet(n, 99));
  t.same(await queued(persistence, 'a'), [3, 4]);
  t.same(drops, [['a', 'bytes'], ['a', 'bytes']]);
  await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], packet(9, 400));
  t.same(await queued(persistence, 'a'), [], 'a message larger than the whole limit is not kept either');
});

t.test('a session connected to this node is not trimmed; once it is gone, the next message trims it', async (t) => {
  const { persistence, drops } = await setup({ maxMessages: 2, maxBytes: 1 << 20 });
  BROKER.clients.live = {};
  for (let n = 1; n <= 4; n++) await persistence.outgoingEnqueueCombi([{ clientId: 'live' }], packet(n));
  t.same(await queued(persistence, 'live'), [1, 2, 3, 4], 'in-flight delivery is never cut');
  delete BROKER.clients.live;
  await persistence.outgoingEnqueueCombi([{ clientId: 'live' }], packet(5));
  t.same(await queued(persistence, 'live'), [4, 5]);
  t.equal(drops.length, 3);
});

t.test('messages sent but not acknowledged (they hold a packet id) are dropped by that id', async (t) => {
  const { persistence, drops } = await setup({ maxMessages: 2, maxBytes: 1 << 20 });
  const first = packet(1);
  await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], first);
  await persistence.outgoingUpdate({ id: 'a' }, { ...first, messageId: 7 });
  await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], packet(2));
  await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], packet(3));
  t.same(await queued(persistence, 'a'), [2, 3]);
  t.equal(drops.length, 1);
  t.equal(await persistence.outgoingClearMessageId({ id: 'a' }, { messageId: 7 }), undefined, 'a late PUBACK finds nothing');
});

t.test('acknowledged messages free their place in the limit', async (t) => {
  const { persistence, drops } = await setup({ maxMessages: 2, maxBytes: 1 << 20 });
  for (let n = 1; n <= 2; n++) {
    const p = packet(n);
    await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], p);
    await persistence.outgoingUpdate({ id: 'a' }, { ...p, messageId: n });
  }
  // QoS 1: PUBACK clears by id. QoS 2: PUBREC replaces the PUBLISH by a PUBREL, PUBCOMP clears it.
  await persistence.outgoingClearMessageId({ id: 'a' }, { messageId: 1 });
  await persistence.outgoingUpdate({ id: 'a' }, { cmd: 'pubrel', messageId: 2 });
  await persistence.outgoingClearMessageId({ id: 'a' }, { messageId: 2 });
  await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], packet(3));
  await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], packet(4));
  t.same(await queued(persistence, 'a'), [3, 4]);
  t.same(drops, [], 'nothing dropped: the queue never went over 2');
});

t.test('limits below 1 are refused', async (t) => {
  t.throws(() => limitOfflineQueue(memory(), { limits: { maxMessages: 0, maxBytes: 10 } }), RangeError);
  t.throws(() => limitOfflineQueue(memory(), { limits: { maxMessages: 1, maxBytes: Number.NaN } }), RangeError);
});

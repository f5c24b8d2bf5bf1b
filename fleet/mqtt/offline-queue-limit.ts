// Bounds what Aedes queues for one persistent session (clean session false), so a device that
// never comes back cannot fill memory (or Redis). Aedes 1.x has no such limit: every QoS 1/2
// message matching a stored subscription goes to `outgoingEnqueueCombi` and stays there until
// the session acknowledges it. This wraps any aedes-persistence (in-memory, Redis...) and passes
// every call through, keeping beside it a small index per session (packet identity and size) in
// queue order. When a session that is not connected to this node goes over its limit, the
// OLDEST messages are removed: what a device reads on its return is the newest state.
//
// Removal uses the persistence interface only: a queued packet not yet sent has no packet id,
// so it is first given a private one (`outgoingUpdate`, which finds it by brokerId and
// brokerCounter), then cleared by that id (`outgoingClearMessageId`).
//
// The index is per node and starts empty: after a restart, or with several nodes enqueuing into
// one shared store, a session holds at most the limit per node plus what was already queued.

export interface OfflineQueueLimits {
  /** Most messages kept for one session. */
  maxMessages: number;
  /** Most bytes (topic + payload) kept for one session. */
  maxBytes: number;
}

export type OfflineDropReason = 'messages' | 'bytes';

interface QueuedPacket {
  brokerId?: string;
  brokerCounter?: number;
  messageId?: number;
  topic?: string;
  payload?: Buffer | string;
}

/** The calls this wrapper watches; everything else in the persistence passes through untouched. */
interface OutgoingQueue {
  setup(broker: unknown): Promise<unknown>;
  outgoingEnqueue(sub: { clientId: string }, packet: QueuedPacket): Promise<unknown>;
  outgoingEnqueueCombi(subs: Array<{ clientId: string }>, packet: QueuedPacket): Promise<unknown>;
  outgoingUpdate(client: { id: string }, packet: QueuedPacket): Promise<unknown>;
  outgoingClearMessageId(client: { id: string }, packet: QueuedPacket): Promise<QueuedPacket | undefined | void>;
}

export interface OfflineQueueLimitOptions {
  limits: OfflineQueueLimits;
  /** Sessions connected here are never trimmed (their queue is in-flight delivery). Default: Aedes' client table. */
  isConnected?(clientId: string): boolean;
  onDrop?(clientId: string, reason: OfflineDropReason): void;
}

interface Entry {
  brokerId?: string;
  brokerCounter?: number;
  bytes: number;
  messageId?: number;
}

interface SessionQueue {
  /** Keyed by `brokerId:brokerCounter`; a Map keeps insertion order, so the first is the oldest. */
  entries: Map<string, Entry>;
  bytes: number;
}

const keyOf = (packet: QueuedPacket) => `${packet.brokerId}:${packet.brokerCounter}`;
const sizeOf = (packet: QueuedPacket) => Buffer.byteLength(packet.topic ?? '') + (typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : (packet.payload?.byteLength ?? 0));

export function limitOfflineQueue<P extends object>(persistence: P, options: OfflineQueueLimitOptions): P {
  const { maxMessages, maxBytes } = options.limits;
  if (!(maxMessages >= 1 && maxBytes >= 1)) throw new RangeError('offline queue limits must be at least 1');
  const inner = persistence as unknown as OutgoingQueue;
  const queues = new Map<string, SessionQueue>();
  let clients: Record<string, unknown> = {};
  const isConnected = options.isConnected ?? ((clientId: string) => Object.hasOwn(clients, clientId));
  // Packet ids MQTT never uses (1..65535), one per removal, so two removals cannot collide.
  let privateId = 0;

  function remember(clientId: string, packet: QueuedPacket): void {
    let queue = queues.get(clientId);
    if (!queue) queues.set(clientId, (queue = { entries: new Map(), bytes: 0 }));
    const key = keyOf(packet);
    if (queue.entries.has(key)) return;
    const bytes = sizeOf(packet);
    queue.entries.set(key, { brokerId: packet.brokerId, brokerCounter: packet.brokerCounter, bytes });
    queue.bytes += bytes;
  }

  function forget(clientId: string, queue: SessionQueue, key: string): Entry | undefined {
    const entry = queue.entries.get(key);
    if (!entry) return undefined;
    queue.entries.delete(key);
    queue.bytes -= entry.bytes;
    if (queue.entries.size === 0) queues.delete(clientId);
    return entry;
  }

  function keyByMessageId(queue: SessionQueue, messageId: number | undefined): string | undefined {
    if (messageId === undefined) return undefined;
    for (const [key, entry] of queue.entries) if (entry.messageId === messageId) return key;
    return undefined;
  }

  async function remove(clientId: string, entry: Entry): Promise<boolean> {
    const client = { id: clientId };
    try {
      let messageId = entry.messageId;
      if (messageId === undefined) {
        messageId = -++privateId;
        await inner.outgoingUpdate(client, { brokerId: entry.brokerId, brokerCounter: entry.brokerCounter, messageId });
      }
      return (await inner.outgoingClearMessageId(client, { messageId })) !== undefined;
    } catch {
      // "no such packet": it was delivered and acknowledged meanwhile (the session came back).
      return false;
    }
  }

  async function trim(clientId: string): Promise<void> {
    const queue = queues.get(clientId);
    if (!queue || isConnected(clientId)) return;
    const removals: Array<Promise<void>> = [];
    while (queue.entries.size > maxMessages || (queue.bytes > maxBytes && queue.entries.size > 0)) {
      const reason: OfflineDropReason = queue.entries.size > maxMessages ? 'messages' : 'bytes';
      const key = queue.entries.keys().next().value as string;
      const entry = forget(clientId, queue, key)!;
      removals.push(remove(clientId, entry).then((dropped) => (dropped ? options.onDrop?.(clientId, reason) : undefined)));
    }
    await Promise.all(removals);
  }

  const watched: OutgoingQueue = {
    async setup(broker) {
      clients = (broker as { clients?: Record<string, unknown> }).clients ?? clients;
      return inner.setup(broker);
    },
    async outgoingEnqueue(sub, packet) {
      const result = await inner.outgoingEnqueue(sub, packet);
      remember(sub.clientId, packet);
      await trim(sub.clientId);
      return result;
    },
    async outgoingEnqueueCombi(subs, packet) {
      // Most messages (telemetry) match no stored subscription: nothing to remember or trim.
      if (subs.length === 0) return inner.outgoingEnqueueCombi(subs, packet);
      const result = await inner.outgoingEnqueueCombi(subs, packet);
      for (const sub of subs) remember(sub.clientId, packet);
      await Promise.all(subs.map((sub) => trim(sub.clientId)));
      return result;
    },
    async outgoingUpdate(client, packet) {
      const result = await inner.outgoingUpdate(client, packet);
      const queue = queues.get(client.id);
      // A PUBLISH is found by its identity; a PUBREL (QoS 2) replaces the packet holding its id.
      const entry = queue?.entries.get(keyOf(packet));
      if (entry && packet.brokerId !== undefined) entry.messageId = packet.messageId;
      return result;
    },
    async outgoingClearMessageId(client, packet) {
      const cleared = await inner.outgoingClearMessageId(client, packet);
      const queue = queues.get(client.id);
      if (queue) {
        const key = cleared && cleared.brokerId !== undefined ? keyOf(cleared) : keyByMessageId(queue, packet.messageId);
        if (key) forget(client.id, queue, key);
      }
      return cleared;
    },
  };

  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(persistence, {
    get(target, property) {
      if (Object.hasOwn(watched, property)) return watched[property as keyof OutgoingQueue];
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // Methods run on the real persistence (its private fields are not reachable through a proxy).
      if (!bound.has(property)) bound.set(property, (value as (...args: unknown[]) => unknown).bind(target));
      return bound.get(property);
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}

// Broker state shared by several fleet nodes (REDIS_URL, docs/mqtt-topics.md "Several nodes"):
// sessions, subscriptions, offline queues, retained messages and wills in Redis
// (aedes-persistence-redis), and every published message on a Redis bus (mqemitter-redis), so a
// device connected to one node gets what another node publishes. Each node opens its own
// connections: one for the persistence, two (publish, subscribe) for the bus.
import aedesPersistenceRedis from 'aedes-persistence-redis';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import { redactedUrl } from '../redacted-url.ts';
import type { FleetBrokerOptions } from './broker.ts';

export interface RedisBrokerStorage extends Required<Pick<FleetBrokerOptions, 'persistence' | 'mq'>> {
  /** After the broker has closed: ends the persistence's connection, and the bus's if the broker never took it. */
  close(): Promise<void>;
}

/** Connects to Redis; rejects (and leaves nothing open) if it cannot be reached. */
export async function connectRedisBrokerStorage(url: string): Promise<RedisBrokerStorage> {
  // Fail the start on a Redis that is not there instead of queueing commands until it is.
  const conn = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5000, retryStrategy: () => null });
  try {
    await conn.connect();
  } catch (error) {
    conn.disconnect();
    throw new Error(`cannot reach Redis at ${redactedUrl(url)}: ${(error as Error).message}`);
  }
  // Once up, reconnect as ioredis does by default: a Redis restart must not take the node down.
  conn.options.retryStrategy = (times) => Math.min(times * 200, 2000);
  const persistence = aedesPersistenceRedis({ conn });
  const mq = mqemitterRedis({ connectionString: url });
  return {
    persistence: persistence as unknown as RedisBrokerStorage['persistence'],
    mq,
    async close() {
      await persistence.destroy();
      if (!(mq as unknown as { closed: boolean }).closed) await new Promise<void>((resolve) => mq.close(() => resolve()));
    },
  };
}

// Broker state shared by several fleet nodes (REDIS_URL, docs/mqtt-topics.md "Several nodes"):
// sessions, subscriptions, offline queues, retained messages and wills in Redis
// (aedes-persistence-redis), and every published message on a Redis bus (mqemitter-redis), so a
// device connected to one node gets what another node publishes. Each node opens its own
// connections: one for the persistence, two (publish, subscribe) for the bus. Once started, a
// Redis that goes away is reported (log, /health) and reconnected to, never a crash.
import aedesPersistenceRedis from 'aedes-persistence-redis';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import { redactedUrl } from '../redacted-url.ts';
import type { FleetBrokerOptions } from './broker.ts';

export interface RedisBrokerStorage extends Required<Pick<FleetBrokerOptions, 'persistence' | 'mq' | 'storageHealth'>> {
  /** After the broker has closed: ends the persistence's connection, and the bus's if the broker never took it. */
  close(): Promise<void>;
}

export interface RedisStorageLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

// A connection of the bus. Commands wait for a reconnect a few times, then fail to their caller
// (mqemitter-redis passes a failed publish to Aedes); its quit() promise, which mqemitter-redis
// leaves unhandled, is handled here: a QUIT cut short by a Redis that is away must not become an
// unhandled rejection, which would end the process.
function busConnection(url: string): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: 3, retryStrategy: (times) => Math.min(times * 200, 2000) });
  const quit = c.quit.bind(c);
  c.quit = ((...args: Parameters<typeof quit>) => {
    const done = quit(...args);
    done.catch(() => undefined);
    return done;
  }) as typeof c.quit;
  return c;
}

/** Connects to Redis; rejects (and leaves nothing open) if it cannot be reached. */
export async function connectRedisBrokerStorage(url: string, logger?: RedisStorageLogger): Promise<RedisBrokerStorage> {
  const shown = redactedUrl(url);
  // Fail the start on a Redis that is not there instead of queueing commands until it is.
  const conn = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5000, retryStrategy: () => null });
  try {
    await conn.connect();
  } catch (error) {
    conn.disconnect();
    throw new Error(`cannot reach Redis at ${shown}: ${(error as Error).message}`);
  }
  // Once up, reconnect as ioredis does by default: a Redis restart must not take the node down.
  conn.options.retryStrategy = (times) => Math.min(times * 200, 2000);
  const persistence = aedesPersistenceRedis({ conn });
  const pubConn = busConnection(url);
  const subConn = busConnection(url);
  const mq = mqemitterRedis({ pubConn, subConn });
  const bus = mq as unknown as { state: NodeJS.EventEmitter; closed: boolean };
  const connections = [conn, pubConn, subConn];
  // Aedes closes the bus, which QUITs both connections and waits for their end. A QUIT cannot
  // reach a Redis that is away, and ioredis's disconnect() leaves a connection that waits to
  // reconnect neither connected nor ended: then each connection ends at its next attempt instead
  // (or at once should it reconnect meanwhile), and the bus reports itself closed now.
  const closeBus = mq.close.bind(mq) as (callback: () => void) => void;
  mq.close = ((callback?: () => void) => {
    const done = callback ?? (() => undefined);
    if (connections.every((c) => c.status === 'ready')) {
      closeBus(done);
      return mq;
    }
    for (const c of [pubConn, subConn]) {
      c.options.retryStrategy = () => null;
      c.once('ready', () => c.disconnect());
      if (c.status !== 'reconnecting' && c.status !== 'end') c.disconnect();
    }
    bus.closed = true;
    setImmediate(done);
    return mq;
  }) as typeof mq.close;

  // Every connection retries on its own and reports each failed attempt; say it once per outage.
  let down = false;
  const onError = (error: Error) => {
    if (down) return;
    down = true;
    logger?.warn({ redis: shown, err: error }, 'Redis unreachable: broker sessions and messages between nodes are unavailable until it is back');
  };
  const onReady = () => {
    if (!down || !connections.every((c) => c.status === 'ready')) return;
    down = false;
    logger?.info({ redis: shown }, 'Redis reachable again');
  };
  conn.on('error', onError);
  bus.state.on('error', onError); // mqemitter-redis re-emits its connections' errors here: unhandled, they would throw
  for (const c of connections) c.on('ready', onReady);

  return {
    persistence: persistence as unknown as RedisBrokerStorage['persistence'],
    mq,
    storageHealth: () => (connections.every((c) => c.status === 'ready') ? 'up' : 'down'),
    async close() {
      await persistence.destroy();
      if (!bus.closed) await new Promise<void>((resolve) => mq.close(() => resolve()));
    },
  };
}

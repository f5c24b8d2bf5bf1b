// The embedded MQTT broker: Aedes with its hooks as thin adapters over the pure decisions
// (authorize.ts) and the device message handler, plus what Aedes leaves to its user: presence,
// a connect-rate limit, a packet size guard, per-session offline queue limits, dropping sessions
// when the REST side revokes them, health and metrics. Persistence and the message bus are
// handed in (in-memory by default; aedes-persistence-redis and mqemitter-redis for several
// nodes); the queue limit wraps whichever persistence it is given.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import aedesPersistence from 'aedes-persistence';
import type { Kysely } from 'kysely';
import type { BrokerHealth, BrokerProbe } from '../broker-probe.ts';
import type { Database } from '../db/database.ts';
import { clearStalePresence, markDeviceOffline, markDeviceOnline } from '../devices/presence-repository.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { FleetMetrics } from '../observability/fleet-metrics.ts';
import type { ServerPublish } from '../shadow/shadow-service.ts';
import { CONNACK, authenticate, authorizePublish, authorizeSubscribe, type CredentialStore, type MqttClientIdentity, type PeerCertificate } from './authorize.ts';
import { createConnectRateLimiter, type ConnectRateLimitOptions } from './connect-rate-limit.ts';
import type { DeviceMessageHandler } from './device-messages.ts';
import { limitOfflineQueue, type OfflineQueueLimits } from './offline-queue-limit.ts';
import { createPacketSizeTracker } from './packet-size-guard.ts';
import { buildTopic, parseTopic, topicMatchesFilter } from './topics.ts';

export interface BrokerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface BrokerLimits {
  /** Packets a client may send before its CONNACK (Aedes' `queueLimit`). */
  preConnectQueue: number;
  /** Largest MQTT packet (remaining length) accepted; bigger ones close the connection. */
  maxPacketBytes: number;
  /** A subscriber whose socket does not drain within this is disconnected (Aedes' `drainTimeout`). */
  drainTimeoutMs: number;
  /** Time a new connection has to send CONNECT. */
  connectTimeoutMs: number;
  /** Largest keepalive a client may ask for, in seconds. Aedes then also refuses keepalive 0, with return code 6; 0 here lifts both. */
  keepaliveLimit: number;
  connectRate: ConnectRateLimitOptions;
  /** What one offline persistent session may have queued; beyond it the oldest messages go. */
  offlineQueue: OfflineQueueLimits;
}

export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  preConnectQueue: 42,
  // The largest payload limit (telemetry, 64 KiB) plus room for the topic and header.
  maxPacketBytes: 64 * 1024 + 1024,
  drainTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  keepaliveLimit: 1200,
  connectRate: { ratePerSecond: 2, burst: 10 },
  // A device's queue holds shadow answers and deltas (a few KiB each): 100 of them is more than
  // any reconnect needs, and 10,000 dead sessions stay under 2.5 GB even at the byte limit.
  offlineQueue: { maxMessages: 100, maxBytes: 256 * 1024 },
};

export interface FleetBrokerOptions {
  db: Kysely<Database>;
  credentials: CredentialStore;
  /** Built once the broker can publish: the handler needs `publish` and the broker needs the handler. */
  messages(publish: ServerPublish): DeviceMessageHandler;
  /** Sends a device its current delta (after it subscribes to it, or reconnects to a stored session). */
  onDeltaWanted?(deviceId: string): Promise<void>;
  /** Sends a device its job list (after it subscribes to `jobs/notify`, or reconnects to a stored session). */
  onJobsWanted?(deviceId: string): Promise<void>;
  events?: FleetEvents;
  metrics?: FleetMetrics;
  logger?: BrokerLogger;
  /** Stable per node: names presence sessions, so a restart can clear what it left online. */
  nodeId?: string;
  limits?: Partial<BrokerLimits>;
  clock?: () => number;
  /** Aedes persistence (default in-memory); e.g. aedes-persistence-redis for several nodes. */
  persistence?: AedesOptions['persistence'];
  /** Aedes message bus (default in-process mqemitter); e.g. mqemitter-redis for several nodes. */
  mq?: AedesOptions['mq'];
  /** Whether a shared store behind persistence and mq (Redis) is reachable; absent for the in-memory ones. */
  storageHealth?: () => 'up' | 'down';
  heartbeatIntervalMs?: number;
}

export interface FleetBroker extends BrokerProbe {
  aedes: Aedes;
  publish: ServerPublish;
  /**
   * Hands a connection (TCP socket, or a WebSocket stream with its upgrade request) to the broker;
   * from the TLS listener, with the client certificate it verified (the device then needs no password).
   */
  accept(stream: Duplex, request?: IncomingMessage, certificate?: PeerCertificate): void;
  /** Clients connected to this node with their identity (tests, diagnostics). */
  identityOf(clientId: string): MqttClientIdentity | undefined;
  /** Resolves once the presence writes started so far have landed. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface ClientState {
  identity: MqttClientIdentity;
  session: string;
  /** A device publishes to the same few topics over and over: the last decision is kept. */
  lastPublish?: { topic: string; retain: boolean; decision: ReturnType<typeof authorizePublish> };
}

function decidePublish(state: ClientState, topic: string, retain: boolean): ReturnType<typeof authorizePublish> {
  const last = state.lastPublish;
  if (last && last.topic === topic && last.retain === retain) return last.decision;
  const decision = authorizePublish(state.identity, topic, { retain });
  state.lastPublish = { topic, retain, decision };
  return decision;
}

// Broadcast on the message bus, so with mqemitter-redis every node drops the sessions it holds.
// `$` topics are never matched by client wildcards, and only admins may subscribe to them.
const DROP_TOPIC = '$fleet/drop-sessions';
type DropRequest = { kind: 'device'; deviceId: string } | { kind: 'service'; keyId: string };

// Aedes' own default. aedes-persistence is CommonJS (`module.exports = factory`) while its
// types declare an ES default export, so TypeScript sees one level too many.
const memoryPersistence = aedesPersistence as unknown as () => object;

const noopLogger: BrokerLogger = { info() {}, warn() {}, error() {} };

export async function createFleetBroker(options: FleetBrokerOptions): Promise<FleetBroker> {
  const { db } = options;
  const limits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  const logger = options.logger ?? noopLogger;
  const clock = options.clock ?? Date.now;
  const nodeId = options.nodeId ?? randomUUID();
  const metrics = options.metrics;
  const rateLimiter = createConnectRateLimiter({ ...limits.connectRate, now: clock });

  const states = new WeakMap<Client, ClientState>();
  // One counter child per kind, made once (prom-client hashes the labels on every `inc(labels)`).
  const countersIn = new Map<string, { inc(): void }>();
  const countIn = (kind: string) => {
    if (!metrics) return;
    let counter = countersIn.get(kind);
    if (!counter) countersIn.set(kind, (counter = metrics.mqttMessagesIn.labels({ kind })));
    counter.inc();
  };
  const connecting = new WeakMap<Client, { idAssigned: boolean; rateLimited: boolean }>();
  // Payloads of refused messages: acknowledged, but not forwarded to subscribers. Same-node
  // only (a Redis bus copies the payload), which is fine: forwarding is best effort anyway.
  const refusedPayloads = new WeakSet<Buffer>();
  const peerCertificates = new WeakMap<Duplex, PeerCertificate>();
  const pendingWrites = new Set<Promise<unknown>>();
  let handler: DeviceMessageHandler | undefined;

  function track(promise: Promise<unknown>, what: string): void {
    const p = promise.catch((error: unknown) => logger.error({ err: error }, what)).finally(() => pendingWrites.delete(p));
    pendingWrites.add(p);
  }

  function remoteAddress(client: Client): string {
    const req = client.req as IncomingMessage | undefined;
    return req?.socket?.remoteAddress ?? (client.conn as { remoteAddress?: string }).remoteAddress ?? 'unknown';
  }

  const persistence = limitOfflineQueue(options.persistence ?? memoryPersistence(), {
    limits: limits.offlineQueue,
    onDrop: (_clientId, reason) => metrics?.mqttOfflineDropped.inc({ limit: reason }),
  });
  const aedes = await Aedes.createBroker({
    persistence,
    ...(options.mq ? { mq: options.mq } : {}),
    id: nodeId,
    queueLimit: limits.preConnectQueue,
    drainTimeout: limits.drainTimeoutMs,
    connectTimeout: limits.connectTimeoutMs,
    keepaliveLimit: limits.keepaliveLimit,
    heartbeatInterval: options.heartbeatIntervalMs ?? 60_000,
    // Client ids of services are `service:<12 hex>[:suffix]`; only MQTT 3.1 clients are held to it.
    maxClientsIdLength: 128,

    preConnect(client, packet, callback) {
      // Decided here, answered in `authenticate` with a proper CONNACK 3 (server unavailable),
      // which clients treat as "back off", instead of a silently dropped socket.
      connecting.set(client, { idAssigned: !packet.clientId, rateLimited: !rateLimiter.take(remoteAddress(client)) });
      callback(null, true);
    },

    authenticate(client, username, password, done) {
      const pre = connecting.get(client) ?? { idAssigned: false, rateLimited: false };
      const refuse = (returnCode: number, reason: string) => {
        const error = new Error(reason) as AuthenticateError;
        error.returnCode = returnCode as AuthenticateError['returnCode'];
        logger.info({ clientId: client.id, returnCode, reason }, 'mqtt connect refused');
        done(error, false);
      };
      if (pre.rateLimited) return refuse(CONNACK.serverUnavailable, 'too many connection attempts; back off');
      // MQTT-3.1.3-8: a zero-length client id requires a clean session. Aedes 1.2 assigns an id
      // regardless (moscajs/aedes#1095), so we refuse here with "identifier rejected".
      if (pre.idAssigned && !client.clean) return refuse(CONNACK.identifierRejected, 'a zero-length client id needs a clean session');
      const certificate = peerCertificates.get(client.conn as Duplex);
      authenticate({ clientId: client.id, clientIdAssigned: pre.idAssigned, username: username ?? undefined, password: password ?? undefined, certificate }, options.credentials).then(
        (result) => {
          if (!result.ok) return refuse(result.returnCode, result.reason);
          states.set(client, { identity: result.client, session: `${nodeId}:${randomUUID()}` });
          done(null, true);
        },
        () => refuse(CONNACK.serverUnavailable, 'credential check failed'),
      );
    },

    authorizePublish(client, packet, callback) {
      const state = client ? states.get(client) : undefined;
      if (!state) {
        // A will left by a session whose broker died: only a device's own status is let through.
        const parsed = parseTopic(packet.topic);
        const clientId = (packet as { clientId?: string }).clientId;
        return parsed.ok && parsed.topic.kind === 'status' && parsed.topic.deviceId === clientId ? callback(null) : callback(new Error('not authenticated'));
      }
      const decision = decidePublish(state, packet.topic, packet.retain);
      if (!decision.ok) {
        logger.warn({ clientId: client!.id, topic: packet.topic.slice(0, 300), reason: decision.reason }, 'mqtt publish refused');
        return callback(new Error(decision.reason));
      }
      const topic = decision.value;
      countIn(topic?.kind ?? 'other');
      if (state.identity.kind !== 'device' || topic === null || !handler) return callback(null);
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      // The PUBACK (QoS 1) is written by Aedes only after this callback: telemetry calls back
      // once its batch has committed, so an acknowledged message is stored.
      handler.handle(state.identity.deviceId, topic, payload).then(
        (outcome) => {
          if (outcome === 'refused') refusedPayloads.add(payload);
          callback(null);
        },
        (error: unknown) => {
          logger.warn({ clientId: client!.id, kind: topic.kind, err: error }, 'message not stored; closing the connection so the device redelivers');
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },

    authorizeSubscribe(client, subscription, callback) {
      const state = states.get(client);
      const decision = state ? authorizeSubscribe(state.identity, subscription.topic) : { ok: false as const, reason: 'not authenticated' };
      if (decision.ok) return callback(null, subscription);
      logger.info({ clientId: client.id, filter: subscription.topic.slice(0, 300), reason: decision.reason }, 'mqtt subscribe refused');
      // null grants 0x80 (failure) for this filter; the connection stays up (MQTT-3.9.3).
      callback(null, null);
    },

    authorizeForward(_client, packet) {
      return refusedPayloads.has(packet.payload as Buffer) ? null : packet;
    },
  });

  // Untyped in aedes.d.ts but part of its documented surface: the client table and the bus.
  const internals = aedes as unknown as {
    clients: Record<string, Client>;
    mq: { on(topic: string, listener: (packet: { payload: Buffer | string }, done: () => void) => void): void; emit(packet: { topic: string; payload: Buffer }): void };
  };

  const publish: ServerPublish = (topic, payload) =>
    new Promise<void>((resolve, reject) => {
      const kind = (() => {
        const parsed = parseTopic(topic);
        return parsed.ok ? parsed.topic.kind : 'other';
      })();
      aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: false, dup: false }, (error) => {
        if (error) return reject(error);
        metrics?.mqttMessagesOut.inc({ kind });
        resolve();
      });
    });
  handler = options.messages(publish);

  aedes.on('clientReady', (client) => {
    const state = states.get(client);
    if (state?.identity.kind !== 'device') return;
    metrics?.connectedDevices.inc();
    const { deviceId } = state.identity;
    track(markDeviceOnline(db, deviceId, state.session, new Date(clock())), 'presence: online');
    // A stored session already holds its subscriptions: send the delta now. A clean session
    // gets it when it subscribes to its delta topic (below), or it would be lost.
    if (!client.clean && options.onDeltaWanted) track(options.onDeltaWanted(deviceId), 'delta on reconnect');
    if (!client.clean && options.onJobsWanted) track(options.onJobsWanted(deviceId), 'jobs on reconnect');
  });

  aedes.on('clientDisconnect', (client) => {
    const state = states.get(client);
    if (state?.identity.kind !== 'device') return;
    metrics?.connectedDevices.dec();
    track(markDeviceOffline(db, state.identity.deviceId, state.session, new Date(clock())), 'presence: offline');
  });

  aedes.on('subscribe', (subscriptions, client) => {
    const state = states.get(client);
    if (state?.identity.kind !== 'device') return;
    const { deviceId } = state.identity;
    const granted = (topic: string) => subscriptions.some((s) => (s.qos as number) !== 128 && topicMatchesFilter(topic, s.topic));
    if (options.onDeltaWanted && granted(buildTopic({ kind: 'shadow/delta', deviceId }))) track(options.onDeltaWanted(deviceId), 'delta on subscribe');
    // Same for jobs: a device that was offline gets its job list when it subscribes.
    if (options.onJobsWanted && granted(buildTopic({ kind: 'jobs/notify', deviceId }))) track(options.onJobsWanted(deviceId), 'jobs on subscribe');
  });

  aedes.on('clientError', (client, error) => logger.info({ clientId: client.id, err: error.message }, 'mqtt client error'));
  aedes.on('connectionError', (_client, error) => logger.info({ err: error.message }, 'mqtt connection error'));

  // ---- dropping sessions the REST side revoked, on every node --------------------------------
  function dropLocal(request: DropRequest): void {
    for (const client of Object.values(internals.clients)) {
      const identity = states.get(client)?.identity;
      if (!identity) continue;
      const match = request.kind === 'device' ? identity.kind === 'device' && identity.deviceId === request.deviceId : identity.kind === 'service' && identity.keyId === request.keyId;
      if (match) {
        logger.info({ clientId: client.id, reason: request.kind }, 'dropping revoked mqtt session');
        client.close();
      }
    }
  }
  const onDrop = (packet: { payload: Buffer | string }, done: () => void) => {
    try {
      dropLocal(JSON.parse(packet.payload.toString()) as DropRequest);
    } catch (error) {
      logger.error({ err: error }, 'bad drop-sessions message');
    }
    done();
  };
  internals.mq.on(DROP_TOPIC, onDrop);
  const broadcastDrop = (request: DropRequest) => internals.mq.emit({ topic: DROP_TOPIC, payload: Buffer.from(JSON.stringify(request)) });
  const onDeviceGone = (deviceId: string) => broadcastDrop({ kind: 'device', deviceId });
  const onKeyRevoked = (apiKeyId: number) =>
    track(
      db.selectFrom('api_keys').select('prefix').where('id', '=', apiKeyId).executeTakeFirst().then((row) => row && broadcastDrop({ kind: 'service', keyId: row.prefix })),
      'drop sessions of a revoked key',
    );
  options.events?.on('device-deleted', onDeviceGone);
  options.events?.on('credentials-revoked', onDeviceGone);
  options.events?.on('api-key-revoked', onKeyRevoked);

  // Devices this node left online when it last stopped (crash, SIGKILL) are not connected now.
  const cleared = await clearStalePresence(db, `${nodeId}:`, new Date(clock()));
  if (cleared > 0) logger.info({ devices: cleared }, 'cleared stale presence from a previous run');

  let closing: Promise<void> | undefined;
  return {
    aedes,
    publish,
    accept(stream, request, certificate) {
      if (certificate) peerCertificates.set(stream, certificate);
      // Aedes reads with read() on 'readable'; a 'data' listener then sees each chunk as it is
      // read, without switching the stream to flowing mode (Node: 'readable' takes precedence).
      const tracker = createPacketSizeTracker(limits.maxPacketBytes);
      const onData = (chunk: Buffer) => {
        const announced = tracker.push(chunk);
        if (announced !== undefined) {
          logger.warn({ announced, limit: limits.maxPacketBytes }, 'mqtt packet too large; closing');
          stream.off('data', onData);
          stream.destroy(new Error(`packet of ${announced} bytes exceeds ${limits.maxPacketBytes}`));
        }
      };
      stream.on('data', onData);
      aedes.handle(stream, request);
    },
    identityOf(clientId) {
      const client = internals.clients[clientId];
      return client ? states.get(client)?.identity : undefined;
    },
    async idle() {
      while (pendingWrites.size > 0) await Promise.allSettled([...pendingWrites]);
    },
    health(): BrokerHealth {
      const storage = options.storageHealth?.();
      const status = aedes.closed || storage === 'down' ? 'down' : 'up';
      return { status, clients: aedes.connectedClients ?? 0, ...(storage ? { storage } : {}) };
    },
    close() {
      closing ??= (async () => {
        options.events?.off('device-deleted', onDeviceGone);
        options.events?.off('credentials-revoked', onDeviceGone);
        options.events?.off('api-key-revoked', onKeyRevoked);
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        // Presence writes of the clients just closed, before the caller closes the database.
        while (pendingWrites.size > 0) await Promise.allSettled([...pendingWrites]);
      })();
      return closing;
    },
  };
}

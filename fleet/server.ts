// The one place that listens. Opens the database, migrates, makes sure someone can log in,
// builds the app and the MQTT broker with what they share (metrics, revocation events, the
// shadow service), and listens: REST and MQTT over WebSocket on one port, MQTT over TCP on
// another. close() undoes it in reverse order, flushing pending telemetry before the broker
// goes, so the devices still get their PUBACKs.
import { hostname } from 'node:os';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { buildApp, type BuildAppOptions } from './app.ts';
import { artifactRoutes } from './artifacts/artifact-routes.ts';
import { createArtifactService, type ArtifactService } from './artifacts/artifact-service.ts';
import { openFileArtifactStore } from './artifacts/artifact-store.ts';
import { loadTrustedKeys, type TrustedKey } from './artifacts/trusted-keys.ts';
import { DEFAULT_ARTIFACT_MAX_BYTES, artifactsDir, trustedKeysDir, type Config } from './config.ts';
import type { Database } from './db/database.ts';
import { loadOrCreateCertificateAuthority, loadOrCreateServerCertificate } from './devices/certificate-authority-files.ts';
import { createCaFiles, openCertificateAuthority, type CertificateAuthority } from './devices/certificate-authority.ts';
import { certificateRoutes } from './devices/certificate-routes.ts';
import eventRoutes from './events/event-routes.ts';
import { FleetEvents } from './fleet-events.ts';
import { loadOrCreateJwtSecret } from './jwt-secret-file.ts';
import { binaryPublisher } from './mqtt/binary-publish.ts';
import { createFleetBroker, DEFAULT_BROKER_LIMITS, type BrokerLimits, type FleetBroker, type FleetBrokerOptions } from './mqtt/broker.ts';
import { createCredentialStore } from './mqtt/credential-store.ts';
import { createDeviceMessageHandler } from './mqtt/device-messages.ts';
import { listenMqttTcp, listenMqttTls, registerMqttWebSocket } from './mqtt/mqtt-transports.ts';
import { createFleetMetrics, type FleetMetrics } from './observability/fleet-metrics.ts';
import { openMigratedDatabase } from './open-database.ts';
import { createChunkServer, type ChunkServerOptions } from './ota/chunk-server.ts';
import { connectRedisBrokerStorage, type RedisBrokerStorage } from './mqtt/redis-broker-storage.ts';
import { redactedUrl } from './redacted-url.ts';
import { deviceJobRoutes, rolloutRoutes } from './rollouts/rollout-routes.ts';
import { createRolloutService, type RolloutService } from './rollouts/rollout-service.ts';
import { shadowRoutes } from './shadow/shadow-routes.ts';
import { createShadowService, type ShadowService } from './shadow/shadow-service.ts';
import { createTelemetryIngest, type TelemetryIngest, type TelemetryIngestOptions } from './telemetry/telemetry-ingest.ts';
import { startRetention, type Retention, type RetentionOptions } from './telemetry/telemetry-retention.ts';
import telemetryRoutes from './telemetry/telemetry-routes.ts';
import { ensureFirstAdmin, type AdminCredentials } from './users/admin-bootstrap.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Kysely<Database>;
  broker: FleetBroker;
  shadows: ShadowService;
  ingest: TelemetryIngest;
  retention: Retention;
  rollouts: RolloutService;
  /** Present when the node has an artifact store (FleetOptions.artifacts). */
  artifacts?: ArtifactService;
  /** http://host:port actually bound (port 0 resolves to the real one). */
  url: string;
  /** The MQTT TCP port actually bound. */
  mqttPort: number;
  /** The MQTT over TLS port actually bound, when FleetOptions.mqtts asked for one. */
  mqttsPort?: number;
  /** Signs device client certificates; its certificate is what the TLS port trusts. */
  certificateAuthority: CertificateAuthority;
  close(): Promise<void>;
}

export interface ServerIo {
  logger: Logger;
  /** Told once, on the very first start, the generated admin password. */
  onFirstAdmin(credentials: AdminCredentials): void;
}

export interface FleetOptions {
  db: Kysely<Database>;
  jwtSecret: string;
  port: number;
  mqttPort: number;
  /** Ports after mqttPort to try when it is taken (only when nobody chose the port). */
  mqttPortFallbacks?: number;
  host: string;
  logger?: Logger | FastifyBaseLogger;
  metrics?: FleetMetrics;
  events?: FleetEvents;
  nodeId?: string;
  brokerLimits?: Partial<BrokerLimits>;
  brokerStorage?: Pick<FleetBrokerOptions, 'persistence' | 'mq' | 'storageHealth'>;
  ingest?: Omit<TelemetryIngestOptions, 'db' | 'metrics'>;
  retention?: Omit<RetentionOptions, 'db'>;
  clock?: () => number;
  app?: Partial<BuildAppOptions>;
  /** The fleet CA (default: a new one in memory, which is lost on exit: tests only). */
  certificateAuthority?: CertificateAuthority;
  /** MQTT over TLS, devices authenticated by client certificates of the fleet CA; off when absent. */
  mqtts?: { port: number; cert: string; key: string };
  /** How often every node re-evaluates rollouts (waves, health gates, timeouts, deferred dispatch); default 1 s. */
  rolloutTickMs?: number;
  /** The filesystem artifact store and the keys uploads must be signed by; without it no artifact routes and no chunk serving. */
  artifacts?: { dir: string; trustedKeys: readonly TrustedKey[]; maxUploadBytes?: number };
  /** Whether a device may fetch an artifact's chunks; default: the rollouts' check (an unfinished job for it). */
  mayFetch?: ChunkServerOptions['mayFetch'];
}

const DAY_MS = 86_400_000;

/** Everything after the database is open: broker, ingest, retention, app, listeners. */
export async function startFleet(options: FleetOptions): Promise<RunningServer> {
  const { db } = options;
  const metrics = options.metrics ?? createFleetMetrics();
  const events = options.events ?? new FleetEvents();
  const clock = options.clock ?? Date.now;
  const logger = options.logger;
  const mqttLogger = logger && 'child' in logger ? logger.child({ component: 'mqtt' }) : undefined;
  const certificateAuthority = options.certificateAuthority ?? (await openCertificateAuthority(await createCaFiles()));
  const artifactStore = options.artifacts && (await openFileArtifactStore(options.artifacts.dir));
  const artifacts =
    artifactStore &&
    createArtifactService({
      db,
      store: artifactStore,
      trustedKeys: options.artifacts!.trustedKeys,
      maxUploadBytes: options.artifacts!.maxUploadBytes ?? DEFAULT_ARTIFACT_MAX_BYTES,
      clock,
      onStoreChanged: (bytes) => metrics.artifactStoreBytes.set(bytes),
    });
  if (artifactStore) metrics.artifactStoreBytes.set(artifactStore.bytesStored());

  const ingest = createTelemetryIngest({
    db,
    metrics,
    onError: (error, rows) => mqttLogger?.error({ err: error, rows }, 'telemetry batch failed; its messages are not acknowledged'),
    ...options.ingest,
  });
  let shadows: ShadowService | undefined;
  let rollouts: RolloutService | undefined;
  const broker = await createFleetBroker({
    db,
    credentials: createCredentialStore(db),
    messages(publish) {
      shadows = createShadowService({ db, publish, clock, onPublishFailed: (error, topic) => mqttLogger?.warn({ err: error, topic }, 'shadow message not published; the device gets the delta when it next subscribes') });
      rollouts = createRolloutService({
        db,
        publish,
        clock,
        tickIntervalMs: options.rolloutTickMs ?? 1000,
        onError: (error, what) => mqttLogger?.error({ err: error, what }, 'rollout evaluation failed'),
      });
      return createDeviceMessageHandler({
        db,
        shadows,
        ingest,
        publish,
        clock,
        jobs: rollouts,
        chunks:
          artifactStore &&
          artifacts &&
          createChunkServer({
            store: artifactStore,
            repository: artifacts,
            publish: binaryPublisher(() => broker.aedes, metrics),
            mayFetch: options.mayFetch ?? rollouts.mayFetch,
            onError: (error, deviceId, artifact) => mqttLogger?.error({ err: error, deviceId, artifact }, 'chunk request failed'),
          }),
        onRefused: (deviceId, kind, reason) => mqttLogger?.info({ deviceId, kind, reason }, 'device payload refused'),
      });
    },
    onDeltaWanted: (deviceId) => shadows!.publishDelta(deviceId),
    onJobsWanted: (deviceId) => rollouts!.jobsWanted(deviceId),
    events,
    metrics,
    logger: mqttLogger,
    nodeId: options.nodeId ?? hostname(),
    limits: options.brokerLimits,
    clock,
    ...options.brokerStorage,
  });
  const shadowService = shadows!;
  const rolloutService = rollouts!;
  const retention = startRetention({
    db,
    telemetryMaxAgeMs: 30 * DAY_MS,
    onError: (error) => logger?.error({ err: error }, 'retention pass failed'),
    ...options.retention,
  });

  let app: FastifyInstance | undefined;
  let tcp: Awaited<ReturnType<typeof listenMqttTcp>> | undefined;
  let tls: Awaited<ReturnType<typeof listenMqttTls>> | undefined;
  // One order for a close and for a failed start: stop accepting; the server's close completes
  // once the broker has closed the sockets. Ingest flushes first, so the committed batches'
  // PUBACKs still reach connected devices.
  const shutdown = async () => {
    const tcpClosed = tcp?.close();
    const tlsClosed = tls?.close();
    await rolloutService.close();
    await ingest.close();
    await broker.close();
    await tcpClosed;
    await tlsClosed;
    await retention.stop();
    await app?.close();
  };
  try {
    app = await buildApp({
      db,
      jwtSecret: options.jwtSecret,
      logger,
      metrics,
      events,
      broker,
      apiPlugins: [
        { plugin: shadowRoutes(shadowService), prefix: '/devices' },
        { plugin: telemetryRoutes, prefix: '/telemetry' },
        { plugin: eventRoutes, prefix: '/events' },
        { plugin: certificateRoutes(certificateAuthority), prefix: '/devices' },
        { plugin: rolloutRoutes(rolloutService), prefix: '/rollouts' },
        { plugin: deviceJobRoutes, prefix: '/devices' },
        ...(artifacts ? [{ plugin: artifactRoutes(artifacts), prefix: '/artifacts' }] : []),
      ],
      ...options.app,
    });
    await registerMqttWebSocket(app, broker, { maxPacketBytes: options.brokerLimits?.maxPacketBytes ?? DEFAULT_BROKER_LIMITS.maxPacketBytes });
    const url = await app.listen({ port: options.port, host: options.host });
    tcp = await listenMqttTcp(broker, { port: options.mqttPort, host: options.host, fallbacks: options.mqttPortFallbacks });
    if (options.mqttPort !== 0 && tcp.port !== options.mqttPort) {
      logger?.warn({ port: tcp.port, wanted: options.mqttPort }, `MQTT port ${options.mqttPort} is in use (another broker on this machine?): listening on ${tcp.port}; set MQTT_PORT to choose`);
    }
    logger?.info({ port: tcp.port }, 'mqtt listening (tcp; websocket on /mqtt)');
    if (options.mqtts) {
      tls = await listenMqttTls(broker, {
        ...options.mqtts,
        host: options.host,
        ca: certificateAuthority.certificatePem,
        onHandshakeError: (error) => mqttLogger?.info({ err: error.message }, 'mqtt tls handshake refused'),
      });
      logger?.info({ port: tls.port }, 'mqtts listening (tls, client certificates of the fleet CA)');
    }
    let closing: Promise<void> | undefined;
    return {
      app,
      db,
      broker,
      shadows: shadowService,
      rollouts: rolloutService,
      ingest,
      retention,
      artifacts,
      url,
      mqttPort: tcp.port,
      mqttsPort: tls?.port,
      certificateAuthority,
      close() {
        closing ??= shutdown();
        return closing;
      },
    };
  } catch (error) {
    await shutdown();
    throw error;
  }
}

export async function startServer(config: Config, io: ServerIo, options: { mqttPortFallbacks?: number } = {}): Promise<RunningServer> {
  // A key file that is not a key stops the start before anything is opened.
  const trustedKeys = await loadTrustedKeys({ files: config.trustedKeyFiles ?? [], dir: trustedKeysDir(config) });
  // So does a CA or TLS file that cannot be used; the CA is created on the first start.
  const certificateAuthority = await loadOrCreateCertificateAuthority({ dataDir: config.dataDir, certFile: config.mqttCaCert, keyFile: config.mqttCaKey });
  const mqtts =
    config.mqttsPort === undefined
      ? undefined
      : { port: config.mqttsPort, ...(await loadOrCreateServerCertificate(certificateAuthority, { dataDir: config.dataDir, certFile: config.mqttsCert, keyFile: config.mqttsKey, hostnames: config.mqttsHostnames })) };
  const { db, applied } = await openMigratedDatabase(config);
  let brokerStorage: RedisBrokerStorage | undefined;
  try {
    if (config.redisUrl) {
      brokerStorage = await connectRedisBrokerStorage(config.redisUrl, io.logger);
      io.logger.info({ redis: redactedUrl(config.redisUrl) }, 'broker sessions and messages in Redis');
    }
    io.logger.info({ database: config.databaseUrl ? 'postgresql' : 'pglite', applied }, 'database ready');
    const firstAdmin = await ensureFirstAdmin(db);
    if (firstAdmin) io.onFirstAdmin(firstAdmin);
    if (trustedKeys.length === 0) io.logger.warn(`no trusted signing keys: artifact uploads are refused until TRUSTED_KEYS / --trusted-key is set or keys are put in ${trustedKeysDir(config)}`);
    else io.logger.info({ keys: trustedKeys.map((k) => ({ keyId: k.keyId, source: k.source })) }, 'trusted bundle signing keys');
    const fleet = await startFleet({
      db,
      jwtSecret: config.jwtSecret ?? loadOrCreateJwtSecret(config.dataDir),
      port: config.port,
      mqttPort: config.mqttPort,
      mqttPortFallbacks: options.mqttPortFallbacks,
      host: config.host,
      logger: io.logger,
      metrics: createFleetMetrics({ processMetrics: true }),
      brokerStorage,
      nodeId: config.nodeId,
      artifacts: { dir: artifactsDir(config), trustedKeys, maxUploadBytes: config.artifactMaxBytes },
      certificateAuthority,
      mqtts,
      brokerLimits: {
        offlineQueue: {
          maxMessages: config.offlineQueueMessages ?? DEFAULT_BROKER_LIMITS.offlineQueue.maxMessages,
          maxBytes: config.offlineQueueBytes ?? DEFAULT_BROKER_LIMITS.offlineQueue.maxBytes,
        },
      },
    });
    let closing: Promise<void> | undefined;
    return {
      ...fleet,
      close() {
        closing ??= fleet.close().finally(async () => {
          await brokerStorage?.close();
          await db.destroy();
        });
        return closing;
      },
    };
  } catch (error) {
    await brokerStorage?.close();
    await db.destroy();
    throw error;
  }
}

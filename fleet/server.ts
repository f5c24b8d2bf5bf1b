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
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import eventRoutes from './events/event-routes.ts';
import { FleetEvents } from './fleet-events.ts';
import { loadOrCreateJwtSecret } from './jwt-secret-file.ts';
import { createFleetBroker, DEFAULT_BROKER_LIMITS, type BrokerLimits, type FleetBroker, type FleetBrokerOptions } from './mqtt/broker.ts';
import { createCredentialStore } from './mqtt/credential-store.ts';
import { createDeviceMessageHandler } from './mqtt/device-messages.ts';
import { listenMqttTcp, registerMqttWebSocket } from './mqtt/mqtt-transports.ts';
import { createFleetMetrics, type FleetMetrics } from './observability/fleet-metrics.ts';
import { openMigratedDatabase } from './open-database.ts';
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
  /** http://host:port actually bound (port 0 resolves to the real one). */
  url: string;
  /** The MQTT TCP port actually bound. */
  mqttPort: number;
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
  brokerStorage?: Pick<FleetBrokerOptions, 'persistence' | 'mq'>;
  ingest?: Omit<TelemetryIngestOptions, 'db' | 'metrics'>;
  retention?: Omit<RetentionOptions, 'db'>;
  clock?: () => number;
  app?: Partial<BuildAppOptions>;
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

  const ingest = createTelemetryIngest({
    db,
    metrics,
    onError: (error, rows) => mqttLogger?.error({ err: error, rows }, 'telemetry batch failed; its messages are not acknowledged'),
    ...options.ingest,
  });
  let shadows: ShadowService | undefined;
  const broker = await createFleetBroker({
    db,
    credentials: createCredentialStore(db),
    messages(publish) {
      shadows = createShadowService({ db, publish, clock });
      return createDeviceMessageHandler({
        db,
        shadows,
        ingest,
        publish,
        clock,
        onRefused: (deviceId, kind, reason) => mqttLogger?.info({ deviceId, kind, reason }, 'device payload refused'),
      });
    },
    onDeltaWanted: (deviceId) => shadows!.publishDelta(deviceId),
    events,
    metrics,
    logger: mqttLogger,
    nodeId: options.nodeId ?? hostname(),
    limits: options.brokerLimits,
    clock,
    ...options.brokerStorage,
  });
  const shadowService = shadows!;
  const retention = startRetention({
    db,
    telemetryMaxAgeMs: 30 * DAY_MS,
    onError: (error) => logger?.error({ err: error }, 'retention pass failed'),
    ...options.retention,
  });

  let app: FastifyInstance | undefined;
  let tcp: Awaited<ReturnType<typeof listenMqttTcp>> | undefined;
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
    const running = { app, tcp };
    let closing: Promise<void> | undefined;
    return {
      app,
      db,
      broker,
      shadows: shadowService,
      ingest,
      retention,
      url,
      mqttPort: tcp.port,
      close() {
        closing ??= (async () => {
          // Stop accepting; the server's close completes once the broker has closed the sockets.
          const tcpClosed = running.tcp.close();
          // Flush first: the committed batches' PUBACKs still reach connected devices.
          await ingest.close();
          await broker.close();
          await tcpClosed;
          await retention.stop();
          await running.app.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    const tcpClosed = tcp?.close();
    await ingest.close();
    await broker.close();
    await tcpClosed;
    await retention.stop();
    await app?.close();
    throw error;
  }
}

export async function startServer(config: Config, io: ServerIo, options: { mqttPortFallbacks?: number } = {}): Promise<RunningServer> {
  const { db, applied } = await openMigratedDatabase(config);
  try {
    io.logger.info({ database: config.databaseUrl ? 'postgresql' : 'pglite', applied }, 'database ready');
    const firstAdmin = await ensureFirstAdmin(db);
    if (firstAdmin) io.onFirstAdmin(firstAdmin);
    const fleet = await startFleet({
      db,
      jwtSecret: config.jwtSecret ?? loadOrCreateJwtSecret(config.dataDir),
      port: config.port,
      mqttPort: config.mqttPort,
      mqttPortFallbacks: options.mqttPortFallbacks,
      host: config.host,
      logger: io.logger,
      metrics: createFleetMetrics({ processMetrics: true }),
    });
    let closing: Promise<void> | undefined;
    return {
      ...fleet,
      close() {
        closing ??= fleet.close().finally(() => db.destroy());
        return closing;
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

// Builds the whole REST application and never listens: the server (fleet/server.ts) and
// the tests (with inject) decide how it is reached. Everything it needs from outside,
// database, secrets, broker, is handed in, and app.close() releases what it opened.
import { createRequire } from 'node:module';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import apiKeyRoutes from './api-keys/api-key-routes.ts';
import authenticate from './auth/authenticate.ts';
import loginRoutes, { type LoginRateLimit } from './auth/login-routes.ts';
import type { BrokerProbe } from './broker-probe.ts';
import type { Database } from './db/database.ts';
import credentialRoutes from './devices/credential-routes.ts';
import deviceRoutes from './devices/device-routes.ts';
import { FleetEvents } from './fleet-events.ts';
import groupRoutes from './groups/group-routes.ts';
import { errorHandler, notFoundHandler } from './http/error-handler.ts';
import openapi from './http/openapi.ts';
import { typeboxValidatorCompiler } from './http/typebox-validator.ts';
import { createFleetMetrics, type FleetMetrics } from './observability/fleet-metrics.ts';
import healthRoutes from './observability/health-routes.ts';
import metricsRoutes from './observability/metrics-routes.ts';
import { QueryTimingPlugin } from './observability/query-timing-plugin.ts';
import requestMetrics from './observability/request-metrics.ts';
import userRoutes from './users/user-routes.ts';

/** What every /api/v1 resource plugin receives, including those added by later parts. */
export interface ApiPluginOptions {
  db: Kysely<Database>;
  events: FleetEvents;
  metrics: FleetMetrics;
}

export interface BuildAppOptions {
  db: Kysely<Database>;
  jwtSecret: string;
  /** Fastify logger: `false` (default, quiet tests), `true`, pino options or a pino instance. */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** Shared with the broker so both feed one registry; created here when absent. */
  metrics?: FleetMetrics;
  /** Shared with the broker, which listens for revocations; created here when absent. */
  events?: FleetEvents;
  /** The MQTT broker's health, once part B attaches one. */
  broker?: BrokerProbe;
  /** Extra resource plugins mounted under /api/v1 after authentication (shadows, telemetry...). */
  apiPlugins?: Array<{ plugin: FastifyPluginAsync<ApiPluginOptions>; prefix: string }>;
  loginRateLimit?: LoginRateLimit;
  tokenTtl?: string;
  /** How long authentication trusts a verified API key or user before re-reading it (default 10 s). */
  authCacheTtlMs?: number;
  /** Honour X-Forwarded-For (behind a load balancer), which the login rate limit keys on. */
  trustProxy?: boolean;
}

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const isLoggerInstance = typeof options.logger === 'object' && options.logger !== null && 'child' in options.logger;
  const app = Fastify({
    ...(isLoggerInstance ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: (options.logger ?? false) as FastifyServerOptions['logger'] }),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 256 * 1024,
  });
  const metrics = options.metrics ?? createFleetMetrics();
  const events = options.events ?? new FleetEvents();
  // Every query the app makes is timed; the caller's own handle stays untouched.
  const db = options.db.withPlugin(new QueryTimingPlugin(metrics.dbQueryDuration));

  app.setValidatorCompiler(typeboxValidatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  await app.register(requestMetrics, { metrics });
  await app.register(openapi, { version });
  await app.register(healthRoutes, { db, metrics, broker: options.broker });
  await app.register(metricsRoutes, { metrics });

  await app.register(
    async (api) => {
      await api.register(authenticate, { db, jwtSecret: options.jwtSecret, tokenTtl: options.tokenTtl, events, cacheTtlMs: options.authCacheTtlMs });
      await api.register(loginRoutes, { db, rateLimit: options.loginRateLimit });
      await api.register(userRoutes, { db, events, prefix: '/users' });
      await api.register(apiKeyRoutes, { db, events, prefix: '/api-keys' });
      await api.register(deviceRoutes, { db, events, prefix: '/devices' });
      await api.register(credentialRoutes, { db, events, prefix: '/devices' });
      await api.register(groupRoutes, { db, prefix: '/groups' });
      for (const { plugin, prefix } of options.apiPlugins ?? []) await api.register(plugin, { db, events, metrics, prefix });
    },
    { prefix: '/api/v1' },
  );

  return app;
}

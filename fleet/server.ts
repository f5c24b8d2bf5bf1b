// The one place that listens. Opens the database, migrates, makes sure someone can log
// in, builds the app and listens; close() undoes it in reverse order.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { loadOrCreateJwtSecret } from './jwt-secret-file.ts';
import { createFleetMetrics } from './observability/fleet-metrics.ts';
import { openMigratedDatabase } from './open-database.ts';
import { ensureFirstAdmin, type AdminCredentials } from './users/admin-bootstrap.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Kysely<Database>;
  /** http://host:port actually bound (port 0 resolves to the real one). */
  url: string;
  close(): Promise<void>;
}

export interface ServerIo {
  logger: Logger;
  /** Told once, on the very first start, the generated admin password. */
  onFirstAdmin(credentials: AdminCredentials): void;
}

export async function startServer(config: Config, io: ServerIo): Promise<RunningServer> {
  const { db, applied } = await openMigratedDatabase(config);
  let app: FastifyInstance | undefined;
  try {
    io.logger.info({ database: config.databaseUrl ? 'postgresql' : 'pglite', applied }, 'database ready');
    const firstAdmin = await ensureFirstAdmin(db);
    if (firstAdmin) io.onFirstAdmin(firstAdmin);
    app = await buildApp({
      db,
      jwtSecret: config.jwtSecret ?? loadOrCreateJwtSecret(config.dataDir),
      logger: io.logger,
      metrics: createFleetMetrics({ processMetrics: true }),
    });
    const url = await app.listen({ port: config.port, host: config.host });
    let closing: Promise<void> | undefined;
    const running = app;
    return {
      app,
      db,
      url,
      close() {
        closing ??= (async () => {
          await running.close();
          await db.destroy();
        })();
        return closing;
      },
    };
  } catch (error) {
    await app?.close();
    await db.destroy();
    throw error;
  }
}

// /health for load balancers and operators. 503 when this node cannot do its job: the
// database does not answer, or an attached broker reports itself down.
import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { BrokerProbe } from '../broker-probe.ts';
import type { FleetMetrics } from './fleet-metrics.ts';

const PING_TIMEOUT_MS = 2_000;

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  database: Type.Object({
    status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    latencyMs: Type.Union([Type.Number(), Type.Null()]),
    error: Type.Optional(Type.String()),
  }),
  broker: Type.Object({
    status: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('not-attached')]),
    clients: Type.Optional(Type.Integer()),
    storage: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('down')])),
  }),
});

async function ping(db: Kysely<any>): Promise<{ ok: true; seconds: number } | { ok: false; error: string }> {
  const started = process.hrtime.bigint();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([sql`select 1`.execute(db), timeout]);
    return { ok: true, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export default async function healthRoutes(
  app: FastifyInstance,
  options: { db: Kysely<any>; metrics: FleetMetrics; broker?: BrokerProbe },
): Promise<void> {
  app.get(
    '/health',
    { schema: { summary: 'Liveness and dependencies of this node', tags: ['operations'], response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const db = await ping(options.db);
      if (db.ok) options.metrics.dbPingDuration.set(db.seconds);
      const broker = options.broker?.health();
      const healthy = db.ok && (broker === undefined || broker.status === 'up');
      void reply.code(healthy ? 200 : 503);
      return {
        status: healthy ? 'ok' : 'unavailable',
        database: db.ok
          ? { status: 'up', latencyMs: Math.round(db.seconds * 1e6) / 1e3 }
          : { status: 'down', latencyMs: null, error: db.error },
        broker: broker ?? { status: 'not-attached' },
      };
    },
  );
}

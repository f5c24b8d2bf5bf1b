import type { FastifyInstance } from 'fastify';
import type { FleetMetrics } from './fleet-metrics.ts';

export default async function metricsRoutes(app: FastifyInstance, options: { metrics: FleetMetrics }): Promise<void> {
  const { registry } = options.metrics;
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    void reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}

// REST latency by route pattern (`/api/v1/devices/:id`, never the raw URL, which would
// make one series per device) and status code.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { FleetMetrics } from './fleet-metrics.ts';

async function requestMetrics(app: FastifyInstance, options: { metrics: FleetMetrics }): Promise<void> {
  const histogram = options.metrics.httpRequestDuration;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    histogram.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}

export default fp(requestMetrics, { name: 'fleet-request-metrics' });

// GET /telemetry: one metric of one device or one group, avg/min/max per time bucket.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiPluginOptions } from '../app.ts';
import { requireRole } from '../auth/roles.ts';
import { DeviceId } from '../devices/device-schemas.ts';
import { errorResponses, errors } from '../errors.ts';
import { GroupName } from '../groups/group-schemas.ts';
import { formatBucketWidth, parseBucketWidth, planBuckets } from './time-bucket.ts';
import { TELEMETRY_METRICS, queryTelemetryBuckets, type TelemetryMetric } from './telemetry-repository.ts';

const TelemetryQuery = Type.Object(
  {
    deviceId: Type.Optional(DeviceId),
    group: Type.Optional(GroupName),
    metric: Type.Union(TELEMETRY_METRICS.map((m) => Type.Literal(m)), { default: 'attenuationDb' }),
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'start, epoch ms, inclusive (default: to - 1 h)' })),
    to: Type.Optional(Type.Integer({ minimum: 0, description: 'end, epoch ms, exclusive (default: now)' })),
    bucket: Type.String({ default: '1m', maxLength: 8, description: 'bucket width: 30s, 1m, 5m, 1h, 1d...' }),
  },
  { additionalProperties: false },
);

const TelemetrySeries = Type.Object({
  deviceId: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  metric: Type.String(),
  bucket: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  points: Type.Array(
    Type.Object({
      t: Type.Integer({ description: 'bucket start, epoch ms (aligned to the epoch)' }),
      avg: Type.Number(),
      min: Type.Number(),
      max: Type.Number(),
      count: Type.Integer({ description: 'samples in the bucket' }),
    }),
  ),
});

export default async function telemetryRoutes(app: FastifyInstance, options: ApiPluginOptions & { now?: () => number }): Promise<void> {
  const { db } = options;
  const now = options.now ?? Date.now;

  app.get<{ Querystring: Static<typeof TelemetryQuery> }>(
    '',
    {
      onRequest: requireRole('viewer'),
      schema: {
        summary: 'Telemetry of a device or a group: avg/min/max of one metric per time bucket',
        tags: ['telemetry'],
        querystring: TelemetryQuery,
        response: { 200: TelemetrySeries, ...errorResponses() },
      },
    },
    async (request) => {
      const { deviceId, group, metric, bucket } = request.query;
      if ((deviceId === undefined) === (group === undefined)) throw errors.validation('querystring: give exactly one of deviceId and group');
      const width = parseBucketWidth(bucket);
      if (!width.ok) throw errors.validation(`querystring/bucket: ${width.reason}`);
      const to = request.query.to ?? now();
      const from = request.query.from ?? Math.max(0, to - 3_600_000);
      const plan = planBuckets({ from, to, widthMs: width.value });
      if (!plan.ok) throw errors.validation(`querystring: ${plan.reason}`);
      const points = await queryTelemetryBuckets(db, { deviceId, group, metric: metric as TelemetryMetric, from, to, widthMs: width.value });
      return { ...(deviceId ? { deviceId } : { group }), metric, bucket: formatBucketWidth(width.value), from, to, points };
    },
  );
}

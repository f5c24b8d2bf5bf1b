// GET /events: stored device events, newest first, filtered by device, kind, severity and time.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiPluginOptions } from '../app.ts';
import { requireRole } from '../auth/roles.ts';
import { DeviceId } from '../devices/device-schemas.ts';
import { errorResponses } from '../errors.ts';
import { Page, PageQuery, decodeCursor, toPage } from '../http/pagination.ts';
import { EVENT_SEVERITIES, listDeviceEvents, type EventSeverity } from './event-repository.ts';

const KINDS = ['emergency', 'error', 'calibration', 'crash'] as const;
const Millis = Type.Integer({ minimum: 0, description: 'epoch milliseconds' });

const EventQuery = Type.Object(
  {
    deviceId: Type.Optional(DeviceId),
    kind: Type.Optional(Type.Union(KINDS.map((k) => Type.Literal(k)))),
    severity: Type.Optional(Type.Union(EVENT_SEVERITIES.map((s) => Type.Literal(s)))),
    from: Type.Optional(Millis),
    to: Type.Optional(Millis),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const StoredEvent = Type.Object({
  id: Type.Integer(),
  deviceId: Type.String(),
  t: Type.String({ format: 'date-time', description: 'when it happened (device clock)' }),
  kind: Type.String(),
  severity: Type.String(),
  data: Type.Object({}, { additionalProperties: true, description: 'the event as the device sent it' }),
});

export default async function eventRoutes(app: FastifyInstance, options: ApiPluginOptions): Promise<void> {
  const { db } = options;
  app.get<{ Querystring: Static<typeof EventQuery> }>(
    '',
    {
      onRequest: requireRole('viewer'),
      schema: {
        summary: 'Device events (emergencies, errors, calibrations, crashes), newest first',
        tags: ['events'],
        querystring: EventQuery,
        response: { 200: Page(StoredEvent), ...errorResponses() },
      },
    },
    async (request) => {
      const { deviceId, kind, severity, from, to, limit, cursor } = request.query;
      const rows = await listDeviceEvents(db, { deviceId, kind, severity: severity as EventSeverity | undefined, from, to, beforeId: decodeCursor(cursor, 'number'), limit: limit + 1 });
      return toPage(rows, limit, (r) => r.id, (r) => ({ id: r.id, deviceId: r.deviceId, t: r.t.toISOString(), kind: r.kind, severity: r.severity, data: r.data }));
    },
  );
}

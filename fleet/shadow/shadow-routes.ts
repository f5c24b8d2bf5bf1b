// Shadows over REST: read the document, set desired state (operators), and page through the
// history. Updates go through the same service as MQTT, so both obey one version sequence and
// a REST change publishes the delta to the device.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ApiPluginOptions } from '../app.ts';
import type { Principal } from '../auth/principal.ts';
import { requireRole } from '../auth/roles.ts';
import { DeviceParams } from '../devices/device-schemas.ts';
import { ApiError, errorResponses, errors } from '../errors.ts';
import { PageQuery, Page, decodeCursor, toPage } from '../http/pagination.ts';
import { listShadowHistory } from './shadow-repository.ts';
import type { ShadowService } from './shadow-service.ts';
import type { ShadowRejection } from './shadow-update.ts';

const JsonObject = Type.Object({}, { additionalProperties: true });
const Metadata = Type.Object({}, { additionalProperties: true });

const ShadowView = Type.Object({
  state: Type.Object({ desired: JsonObject, reported: JsonObject, delta: Type.Optional(JsonObject) }),
  metadata: Type.Object({ desired: Metadata, reported: Metadata }),
  version: Type.Integer(),
  timestamp: Type.Integer({ description: 'server time of this answer, epoch ms' }),
});

const DesiredBody = Type.Object(
  {
    desired: Type.Union([JsonObject, Type.Null()], { description: 'fields to merge into desired; null deletes a field; null here clears desired' }),
    version: Type.Optional(Type.Integer({ minimum: 0, description: 'refuse with 409 unless the shadow is at this version' })),
  },
  { additionalProperties: false },
);

const HistoryItem = Type.Object({
  version: Type.Integer(),
  actor: Type.String({ description: 'device:<id>, user:<username> or key:<name>' }),
  change: Type.Object({ desired: Type.Optional(JsonObject), reported: Type.Optional(JsonObject) }),
  at: Type.String({ format: 'date-time' }),
});

export function actorOf(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.name}` : `key:${principal.name}`;
}

function toApiError(rejection: ShadowRejection, deviceId: string): ApiError {
  switch (rejection.code) {
    case 400:
      return errors.validation(rejection.message);
    case 404:
      return errors.notFound('device', deviceId);
    case 409:
      return errors.versionConflict(rejection.message);
    case 413:
      return errors.shadowTooLarge(rejection.message);
    default:
      return errors.internal();
  }
}

export function shadowRoutes(shadows: ShadowService): FastifyPluginAsync<ApiPluginOptions> {
  return async function routes(app: FastifyInstance, options: ApiPluginOptions): Promise<void> {
    const { db } = options;
    const tags = ['shadows'];

    app.get<{ Params: Static<typeof DeviceParams> }>(
      '/:id/shadow',
      {
        onRequest: requireRole('viewer'),
        schema: { summary: "A device's shadow: desired, reported, delta, metadata and version", tags, params: DeviceParams, response: { 200: ShadowView, ...errorResponses(404) } },
      },
      async (request) => {
        const result = await shadows.get(request.params.id, {});
        if (!result.ok) throw toApiError(result.rejection, request.params.id);
        return result.response;
      },
    );

    app.patch<{ Params: Static<typeof DeviceParams>; Body: Static<typeof DesiredBody> }>(
      '/:id/shadow/desired',
      {
        onRequest: requireRole('operator'),
        schema: {
          summary: 'Merge into the desired state; the device receives the delta',
          tags,
          params: DeviceParams,
          body: DesiredBody,
          response: { 200: ShadowView, ...errorResponses(404, 409, 413) },
        },
      },
      async (request) => {
        const { id } = request.params;
        const update = { state: { desired: request.body.desired }, ...(request.body.version === undefined ? {} : { version: request.body.version }) };
        const outcome = await shadows.update(id, update, { actor: actorOf(request.principal!), reply: false });
        if (!outcome.ok) throw toApiError(outcome.rejection, id);
        const result = await shadows.get(id, {});
        if (!result.ok) throw toApiError(result.rejection, id);
        return result.response;
      },
    );

    app.get<{ Params: Static<typeof DeviceParams>; Querystring: { limit: number; cursor?: string } }>(
      '/:id/shadow/history',
      {
        onRequest: requireRole('viewer'),
        schema: {
          summary: 'Who changed what in the shadow, and when; newest first',
          tags,
          params: DeviceParams,
          querystring: Type.Object(PageQuery, { additionalProperties: false }),
          response: { 200: Page(HistoryItem), ...errorResponses(404) },
        },
      },
      async (request) => {
        const { id } = request.params;
        const existing = await shadows.get(id, {});
        if (!existing.ok) throw toApiError(existing.rejection, id);
        const { limit, cursor } = request.query;
        const rows = await listShadowHistory(db, id, { beforeVersion: decodeCursor(cursor, 'number'), limit: limit + 1 });
        return toPage(rows, limit, (r) => r.version, (r) => ({ version: r.version, actor: r.actor, change: r.change, at: r.at.toISOString() }));
      },
    );
  };
}

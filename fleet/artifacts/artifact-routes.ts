// Artifacts over REST: upload a signed bundle as the raw request body (streamed, verified, stored
// once by its SHA-256), list, inspect, download and delete. Mounted at /api/v1/artifacts.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ApiPluginOptions } from '../app.ts';
import { requireRole } from '../auth/roles.ts';
import { isForeignKeyViolation, isRestrictViolation } from '../db/constraint-violation.ts';
import { errorResponses, errors } from '../errors.ts';
import { Page, decodeCursor, toPage } from '../http/pagination.ts';
import { actorOf } from '../shadow/shadow-routes.ts';
import { ArtifactDetail, ArtifactListQuery, ArtifactParams, ArtifactSummary, artifactDetail, artifactSummary, cursorKey, parseCursorKey } from './artifact-schemas.ts';
import type { ArtifactService } from './artifact-service.ts';

const BUNDLE_MEDIA_TYPE = 'application/octet-stream';

function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase();
}

/** The body was not read: close the connection after answering instead of draining it. */
function closeAfterReply(reply: FastifyReply): void {
  void reply.header('connection', 'close');
}

export function artifactRoutes(service: ArtifactService): FastifyPluginAsync<ApiPluginOptions> {
  return async function routes(app: FastifyInstance): Promise<void> {
    const tags = ['artifacts'];

    // In this plugin only: every body reaches the handler as the unread request stream, so an
    // upload is never buffered by a parser and a wrong type gets this route's own message.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    app.post(
      '',
      {
        onRequest: requireRole('operator'),
        schema: {
          summary: 'Upload a signed bundle (raw body, application/octet-stream); 201 stored, 200 already stored',
          tags,
          consumes: [BUNDLE_MEDIA_TYPE],
          response: { 200: ArtifactDetail, 201: ArtifactDetail, ...errorResponses(409, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        if (mediaType(request.headers['content-type']) !== BUNDLE_MEDIA_TYPE) {
          closeAfterReply(reply);
          throw errors.unsupportedMediaType(`send the bundle file as the raw body with "Content-Type: ${BUNDLE_MEDIA_TYPE}" (multipart is not accepted)`);
        }
        if (service.trustedKeyIds.length === 0) {
          closeAfterReply(reply);
          throw errors.noTrustedKeys();
        }
        const declared = Number(request.headers['content-length']);
        if (declared > service.maxUploadBytes) {
          closeAfterReply(reply);
          throw errors.artifactTooLarge(service.maxUploadBytes);
        }
        let outcome;
        try {
          outcome = await service.upload(request.raw, actorOf(request.principal!));
        } catch (error) {
          // The client went away mid-upload: its problem, not a server failure (the store removed the partial file).
          if (request.raw.errored) throw errors.uploadInterrupted();
          throw error;
        }
        if (outcome.ok) {
          request.log.info({ artifact: outcome.artifact.id, created: outcome.created, size: outcome.artifact.size }, 'artifact uploaded');
          return reply.code(outcome.created ? 201 : 200).send(artifactDetail(outcome.artifact));
        }
        switch (outcome.problem) {
          case 'no-trusted-keys':
            throw errors.noTrustedKeys();
          case 'too-large':
            closeAfterReply(reply);
            throw errors.artifactTooLarge(outcome.limit);
          case 'invalid-bundle':
            throw errors.invalidBundle(outcome.error.code, outcome.error.message);
        }
      },
    );

    app.get<{ Querystring: Static<typeof ArtifactListQuery> }>(
      '',
      {
        onRequest: requireRole('viewer'),
        schema: { summary: 'List artifacts, newest first', tags, querystring: ArtifactListQuery, response: { 200: Page(ArtifactSummary), ...errorResponses() } },
      },
      async (request) => {
        const { kind, limit, cursor } = request.query;
        const key = decodeCursor(cursor, 'string');
        const before = key === undefined ? undefined : parseCursorKey(key);
        if (key !== undefined && !before) throw errors.badCursor();
        const rows = await service.list({ kind, before, limit: limit + 1 });
        return toPage(rows, limit, cursorKey, artifactSummary);
      },
    );

    app.get<{ Params: Static<typeof ArtifactParams> }>(
      '/:id',
      {
        onRequest: requireRole('viewer'),
        schema: { summary: 'Inspect an artifact: its manifest and where it came from', tags, params: ArtifactParams, response: { 200: ArtifactDetail, ...errorResponses(404) } },
      },
      async (request) => {
        const artifact = await service.get(request.params.id);
        if (!artifact) throw errors.notFound('artifact', request.params.id);
        return artifactDetail(artifact);
      },
    );

    app.get<{ Params: Static<typeof ArtifactParams> }>(
      '/:id/content',
      {
        onRequest: requireRole('operator'),
        schema: {
          summary: 'Download the bundle file',
          tags,
          params: ArtifactParams,
          produces: [BUNDLE_MEDIA_TYPE],
          response: { 200: Type.String({ format: 'binary' }), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const found = await service.content(request.params.id);
        if (!found) throw errors.notFound('artifact', request.params.id);
        const { artifact, stream } = found;
        return reply
          .type(BUNDLE_MEDIA_TYPE)
          .header('content-length', artifact.size)
          .header('content-disposition', `attachment; filename="${artifact.kind}-${artifact.version}-${artifact.id.slice(0, 12)}.ancb"`)
          .send(stream);
      },
    );

    app.delete<{ Params: Static<typeof ArtifactParams> }>(
      '/:id',
      {
        onRequest: requireRole('operator'),
        schema: { summary: 'Delete an artifact no rollout uses', tags, params: ArtifactParams, response: { 204: Type.Null(), ...errorResponses(404, 409) } },
      },
      async (request, reply) => {
        try {
          if (!(await service.remove(request.params.id))) throw errors.notFound('artifact', request.params.id);
        } catch (error) {
          // RESTRICT (rollouts) reports 23001, NO ACTION 23503: either way something still uses it.
          if (isRestrictViolation(error) || isForeignKeyViolation(error)) throw errors.artifactInUse(request.params.id);
          throw error;
        }
        return reply.code(204).send();
      },
    );
  };
}

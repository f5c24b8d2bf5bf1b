// Admin-only API keys for scripts and services. The key is shown once, at creation; the
// server keeps only its prefix and a hash. Revoked keys stay listed for the audit trail.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { newApiKey } from '../auth/api-key-format.ts';
import { requireRole } from '../auth/roles.ts';
import { hashSecret } from '../auth/secret-token.ts';
import type { Database } from '../db/database.ts';
import { errorResponses, errors } from '../errors.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { Page, PageQuery, decodeCursor, toPage } from '../http/pagination.ts';
import { insertApiKey, listApiKeys, revokeApiKey } from './api-key-repository.ts';
import { ApiKey, ApiKeyParams, CreateApiKeyBody, CreatedApiKey, apiKeyView } from './api-key-schemas.ts';

const ListQuery = Type.Object(PageQuery, { additionalProperties: false });

export default async function apiKeyRoutes(app: FastifyInstance, options: { db: Kysely<Database>; events: FleetEvents }): Promise<void> {
  const { db, events } = options;
  const tags = ['api keys'];
  app.addHook('onRequest', requireRole('admin'));

  app.post<{ Body: Static<typeof CreateApiKeyBody> }>(
    '',
    { schema: { summary: 'Create an API key (the key is in this response only)', tags, body: CreateApiKeyBody, response: { 201: CreatedApiKey, ...errorResponses() } } },
    async (request, reply) => {
      const { prefix, secret, key } = newApiKey();
      const principal = request.principal!;
      const row = await insertApiKey(db, {
        name: request.body.name,
        role: request.body.role,
        prefix,
        hash: hashSecret(secret),
        createdBy: principal.kind === 'user' ? principal.id : null,
      });
      return reply.code(201).send({ ...apiKeyView(row), key });
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '',
    { schema: { summary: 'List API keys (never the keys themselves)', tags, querystring: ListQuery, response: { 200: Page(ApiKey), ...errorResponses() } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listApiKeys(db, { afterId: decodeCursor(cursor, 'number'), limit: limit + 1 });
      return toPage(rows, limit, (r) => r.id, apiKeyView);
    },
  );

  app.delete<{ Params: Static<typeof ApiKeyParams> }>(
    '/:id',
    { schema: { summary: 'Revoke an API key', tags, params: ApiKeyParams, response: { 200: ApiKey, ...errorResponses(404) } } },
    async (request) => {
      const row = await revokeApiKey(db, request.params.id, new Date());
      if (!row) throw errors.notFound('API key', request.params.id);
      events.emit('api-key-revoked', row.id);
      return apiKeyView(row);
    },
  );
}

// Admin-only management of people. The one rule beyond CRUD: the last admin can be
// neither deleted nor demoted, checked under a row lock so concurrent requests agree.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { hashPassword } from '../auth/password.ts';
import { requireRole } from '../auth/roles.ts';
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/constraint-violation.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { errorResponses, errors } from '../errors.ts';
import { Page, PageQuery, decodeCursor, toPage } from '../http/pagination.ts';
import { deleteUser, findUserById, insertUser, listUsers, lockAdminIds, updateUser } from './user-repository.ts';
import { CreateUserBody, UpdateUserBody, User, UserParams, userView } from './user-schemas.ts';

const ListQuery = Type.Object(PageQuery, { additionalProperties: false });

export default async function userRoutes(app: FastifyInstance, options: { db: Kysely<Database>; events?: FleetEvents }): Promise<void> {
  const { db, events } = options;
  const tags = ['users'];
  app.addHook('onRequest', requireRole('admin'));

  app.post<{ Body: Static<typeof CreateUserBody> }>(
    '',
    { schema: { summary: 'Create a user', tags, body: CreateUserBody, response: { 201: User, ...errorResponses(409) } } },
    async (request, reply) => {
      const { username, password, role } = request.body;
      try {
        const row = await insertUser(db, { username, passwordHash: await hashPassword(password), role });
        return reply.code(201).send(userView(row));
      } catch (error) {
        if (isUniqueViolation(error)) throw errors.conflict(`user ${JSON.stringify(username)} already exists`);
        throw error;
      }
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '',
    { schema: { summary: 'List users', tags, querystring: ListQuery, response: { 200: Page(User), ...errorResponses() } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listUsers(db, { afterId: decodeCursor(cursor, 'number'), limit: limit + 1 });
      return toPage(rows, limit, (r) => r.id, userView);
    },
  );

  app.get<{ Params: Static<typeof UserParams> }>(
    '/:id',
    { schema: { summary: 'Get a user', tags, params: UserParams, response: { 200: User, ...errorResponses(404) } } },
    async (request) => {
      const row = await findUserById(db, request.params.id);
      if (!row) throw errors.notFound('user', request.params.id);
      return userView(row);
    },
  );

  app.patch<{ Params: Static<typeof UserParams>; Body: Static<typeof UpdateUserBody> }>(
    '/:id',
    {
      schema: {
        summary: "Change a user's role or password",
        tags,
        params: UserParams,
        body: UpdateUserBody,
        response: { 200: User, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { role, password } = request.body;
      const passwordHash = password === undefined ? undefined : await hashPassword(password);
      const row = await db.transaction().execute(async (trx) => {
        if (role !== undefined && role !== 'admin') {
          const admins = await lockAdminIds(trx);
          if (admins.length === 1 && admins[0] === id) throw errors.lastAdmin();
        }
        return updateUser(trx, id, { role, passwordHash });
      });
      if (!row) throw errors.notFound('user', id);
      events?.emit('user-changed', id);
      return userView(row);
    },
  );

  app.delete<{ Params: Static<typeof UserParams> }>(
    '/:id',
    { schema: { summary: 'Delete a user', tags, params: UserParams, response: { 204: Type.Null(), ...errorResponses(404, 409) } } },
    async (request, reply) => {
      const { id } = request.params;
      const deleted = await db.transaction().execute(async (trx) => {
        const admins = await lockAdminIds(trx);
        if (admins.length === 1 && admins[0] === id) throw errors.lastAdmin();
        return deleteUser(trx, id);
      });
      if (!deleted) throw errors.notFound('user', id);
      events?.emit('user-changed', id);
      return reply.code(204).send();
    },
  );
}

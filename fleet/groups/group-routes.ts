// Device groups: named sets of devices for filtering now and for rollouts later.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { requireRole } from '../auth/roles.ts';
import type { Database } from '../db/database.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../db/constraint-violation.ts';
import { deviceExists } from '../devices/device-repository.ts';
import { DeviceId } from '../devices/device-schemas.ts';
import { errorResponses, errors } from '../errors.ts';
import { Page, PageQuery, decodeCursor, toPage } from '../http/pagination.ts';
import { addDeviceToGroup, deleteGroup, findGroup, insertGroup, listGroups, removeDeviceFromGroup } from './group-repository.ts';
import { CreateGroupBody, Group, GroupName, GroupParams, groupView } from './group-schemas.ts';

const ListQuery = Type.Object(PageQuery, { additionalProperties: false });
const MemberParams = Type.Object({ name: GroupName, deviceId: DeviceId });

export default async function groupRoutes(app: FastifyInstance, options: { db: Kysely<Database> }): Promise<void> {
  const { db } = options;
  const tags = ['groups'];

  app.post<{ Body: Static<typeof CreateGroupBody> }>(
    '',
    { onRequest: requireRole('operator'), schema: { summary: 'Create a group', tags, body: CreateGroupBody, response: { 201: Group, ...errorResponses(409) } } },
    async (request, reply) => {
      try {
        const row = await insertGroup(db, { name: request.body.name, description: request.body.description ?? '' });
        return reply.code(201).send(groupView({ ...row, device_count: 0 }));
      } catch (error) {
        if (isUniqueViolation(error)) throw errors.conflict(`group ${JSON.stringify(request.body.name)} already exists`);
        throw error;
      }
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '',
    { onRequest: requireRole('viewer'), schema: { summary: 'List groups', tags, querystring: ListQuery, response: { 200: Page(Group), ...errorResponses() } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listGroups(db, { afterName: decodeCursor(cursor, 'string'), limit: limit + 1 });
      return toPage(rows, limit, (r) => r.name, groupView);
    },
  );

  app.get<{ Params: Static<typeof GroupParams> }>(
    '/:name',
    { onRequest: requireRole('viewer'), schema: { summary: 'Get a group', tags, params: GroupParams, response: { 200: Group, ...errorResponses(404) } } },
    async (request) => {
      const row = await findGroup(db, request.params.name);
      if (!row) throw errors.notFound('group', request.params.name);
      return groupView(row);
    },
  );

  app.delete<{ Params: Static<typeof GroupParams> }>(
    '/:name',
    {
      onRequest: requireRole('operator'),
      schema: { summary: 'Delete a group (its devices stay)', tags, params: GroupParams, response: { 204: Type.Null(), ...errorResponses(404) } },
    },
    async (request, reply) => {
      if (!(await deleteGroup(db, request.params.name))) throw errors.notFound('group', request.params.name);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: Static<typeof MemberParams> }>(
    '/:name/devices/:deviceId',
    {
      onRequest: requireRole('operator'),
      schema: { summary: 'Add a device to a group (idempotent)', tags, params: MemberParams, response: { 204: Type.Null(), ...errorResponses(404) } },
    },
    async (request, reply) => {
      const { name, deviceId } = request.params;
      if (!(await findGroup(db, name))) throw errors.notFound('group', name);
      if (!(await deviceExists(db, deviceId))) throw errors.notFound('device', deviceId);
      try {
        await addDeviceToGroup(db, name, deviceId);
      } catch (error) {
        // The group or device was deleted between the checks and the insert.
        if (isForeignKeyViolation(error)) throw errors.notFound('group or device', `${name}/${deviceId}`);
        throw error;
      }
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: Static<typeof MemberParams> }>(
    '/:name/devices/:deviceId',
    {
      onRequest: requireRole('operator'),
      schema: { summary: 'Remove a device from a group', tags, params: MemberParams, response: { 204: Type.Null(), ...errorResponses(404) } },
    },
    async (request, reply) => {
      const { name, deviceId } = request.params;
      if (!(await removeDeviceFromGroup(db, name, deviceId))) throw errors.notFound(`member of group ${JSON.stringify(name)}:`, deviceId);
      return reply.code(204).send();
    },
  );
}

// The device registry. Provisioning creates the device and its first credential in one
// transaction and returns the secret once; afterwards only its hash exists.
import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { requireRole } from '../auth/roles.ts';
import { generateSecret, hashSecret } from '../auth/secret-token.ts';
import type { Database } from '../db/database.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../db/constraint-violation.ts';
import { errorResponses, errors } from '../errors.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { addDeviceToGroup } from '../groups/group-repository.ts';
import { Page, decodeCursor, toPage } from '../http/pagination.ts';
import { insertCredential } from './credential-repository.ts';
import { deleteDevice, findDeviceWithGroups, groupsOfDevices, insertDevice, listDevices, updateDevice } from './device-repository.ts';
import { CreateDeviceBody, Device, DeviceListQuery, DeviceParams, ProvisionedDevice, UpdateDeviceBody, deviceView } from './device-schemas.ts';

export default async function deviceRoutes(app: FastifyInstance, options: { db: Kysely<Database>; events: FleetEvents }): Promise<void> {
  const { db, events } = options;
  const tags = ['devices'];

  app.post<{ Body: Static<typeof CreateDeviceBody> }>(
    '',
    {
      onRequest: requireRole('operator'),
      schema: {
        summary: 'Provision a device: registers it and returns its MQTT secret (once)',
        tags,
        body: CreateDeviceBody,
        response: { 201: ProvisionedDevice, ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const id = body.id ?? `dev-${randomBytes(8).toString('hex')}`;
      const secret = generateSecret();
      const groupNames = body.groups ?? [];
      try {
        const row = await db.transaction().execute(async (trx) => {
          const device = await insertDevice(trx, {
            id,
            name: body.name ?? '',
            hardwareRevision: body.hardwareRevision,
            firmwareVersion: body.firmwareVersion,
            modelVersion: body.modelVersion,
            tags: body.tags ?? [],
          });
          await insertCredential(trx, id, hashSecret(secret));
          for (const group of groupNames) await addDeviceToGroup(trx, group, id);
          return device;
        });
        return reply.code(201).send({ device: deviceView(row, [...groupNames].sort()), secret });
      } catch (error) {
        if (isUniqueViolation(error)) throw errors.conflict(`device ${JSON.stringify(id)} already exists`);
        if (isForeignKeyViolation(error)) throw errors.validation(`body/groups: one of ${JSON.stringify(groupNames)} does not exist`);
        throw error;
      }
    },
  );

  app.get<{ Querystring: Static<typeof DeviceListQuery> }>(
    '',
    {
      onRequest: requireRole('viewer'),
      schema: {
        summary: 'List devices, filtered by group, tag and online state',
        tags,
        querystring: DeviceListQuery,
        response: { 200: Page(Device), ...errorResponses() },
      },
    },
    async (request) => {
      const { group, tag, online, limit, cursor } = request.query;
      const rows = await listDevices(db, { group, tag, online, afterId: decodeCursor(cursor, 'string'), limit: limit + 1 });
      const groups = await groupsOfDevices(db, rows.map((r) => r.id));
      return toPage(rows, limit, (r) => r.id, (r) => deviceView(r, groups.get(r.id) ?? []));
    },
  );

  app.get<{ Params: Static<typeof DeviceParams> }>(
    '/:id',
    {
      onRequest: requireRole('viewer'),
      schema: { summary: 'Get a device', tags, params: DeviceParams, response: { 200: Device, ...errorResponses(404) } },
    },
    async (request) => {
      const found = await findDeviceWithGroups(db, request.params.id);
      if (!found) throw errors.notFound('device', request.params.id);
      return deviceView(found.row, found.groups);
    },
  );

  app.patch<{ Params: Static<typeof DeviceParams>; Body: Static<typeof UpdateDeviceBody> }>(
    '/:id',
    {
      onRequest: requireRole('operator'),
      schema: {
        summary: "Rename a device or replace its tags (versions are reported by the device itself)",
        tags,
        params: DeviceParams,
        body: UpdateDeviceBody,
        response: { 200: Device, ...errorResponses(404) },
      },
    },
    async (request) => {
      const row = await updateDevice(db, request.params.id, request.body);
      if (!row) throw errors.notFound('device', request.params.id);
      const groups = await groupsOfDevices(db, [row.id]);
      return deviceView(row, groups.get(row.id) ?? []);
    },
  );

  app.delete<{ Params: Static<typeof DeviceParams> }>(
    '/:id',
    {
      onRequest: requireRole('operator'),
      schema: {
        summary: 'Delete a device with its credentials, memberships and shadow',
        tags,
        params: DeviceParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      if (!(await deleteDevice(db, request.params.id))) throw errors.notFound('device', request.params.id);
      events.emit('device-deleted', request.params.id);
      return reply.code(204).send();
    },
  );
}

// Device credentials: list (metadata only), rotate (new secret, shown once) and revoke.
// Both rotate and revoke tell the broker, which drops the device's live session. Revoking
// also revokes the device's client certificates (certificate-routes.ts); rotating replaces
// secrets only.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { requireRole } from '../auth/roles.ts';
import { generateSecret, hashSecret } from '../auth/secret-token.ts';
import type { Database } from '../db/database.ts';
import { errorResponses, errors } from '../errors.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { revokeCertificates } from './certificate-repository.ts';
import { insertCredential, listCredentials, revokeCredentials } from './credential-repository.ts';
import { deviceExists } from './device-repository.ts';
import { Credential, DeviceParams, RotatedSecret, credentialView } from './device-schemas.ts';

const RotateQuery = Type.Object(
  {
    keepExisting: Type.Boolean({
      default: false,
      description: 'keep older credentials valid (staged rotation: revoke them once the device uses the new one)',
    }),
  },
  { additionalProperties: false },
);

export default async function credentialRoutes(app: FastifyInstance, options: { db: Kysely<Database>; events: FleetEvents }): Promise<void> {
  const { db, events } = options;
  const tags = ['credentials'];

  async function mustExist(id: string): Promise<void> {
    if (!(await deviceExists(db, id))) throw errors.notFound('device', id);
  }

  app.get<{ Params: Static<typeof DeviceParams> }>(
    '/:id/credentials',
    {
      onRequest: requireRole('viewer'),
      schema: { summary: "List a device's credentials (never the secrets)", tags, params: DeviceParams, response: { 200: Type.Array(Credential), ...errorResponses(404) } },
    },
    async (request) => {
      await mustExist(request.params.id);
      return (await listCredentials(db, request.params.id)).map(credentialView);
    },
  );

  app.post<{ Params: Static<typeof DeviceParams>; Querystring: Static<typeof RotateQuery> }>(
    '/:id/credentials/rotate',
    {
      onRequest: requireRole('operator'),
      schema: {
        summary: 'Issue a new device secret (shown once), revoking the old ones unless keepExisting',
        tags,
        params: DeviceParams,
        querystring: RotateQuery,
        response: { 201: RotatedSecret, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await mustExist(id);
      const secret = generateSecret();
      const { credential, revoked } = await db.transaction().execute(async (trx) => {
        const revoked = request.query.keepExisting ? 0 : await revokeCredentials(trx, id, new Date());
        return { credential: await insertCredential(trx, id, hashSecret(secret)), revoked };
      });
      if (revoked > 0) events.emit('credentials-revoked', id);
      return reply.code(201).send({ deviceId: id, credentialId: credential.id, secret, revoked });
    },
  );

  app.delete<{ Params: Static<typeof DeviceParams> }>(
    '/:id/credentials',
    {
      onRequest: requireRole('operator'),
      schema: {
        summary: 'Revoke every credential of a device, secrets and client certificates (it cannot connect until rotated)',
        tags,
        params: DeviceParams,
        response: {
          200: Type.Object({ revoked: Type.Integer({ description: 'secrets revoked' }), certificatesRevoked: Type.Integer() }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      await mustExist(id);
      const at = new Date();
      const { revoked, certificatesRevoked } = await db.transaction().execute(async (trx) => ({
        revoked: await revokeCredentials(trx, id, at),
        certificatesRevoked: await revokeCertificates(trx, id, at),
      }));
      events.emit('credentials-revoked', id);
      return { revoked, certificatesRevoked };
    },
  );
}

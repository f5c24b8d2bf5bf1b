// Device client certificates for MQTT over TLS: list (metadata only), issue and revoke one.
// Issuing signs the device's CSR with the fleet CA (the private key never leaves the device),
// or, when asked, generates a key pair and returns its private key in this one response.
// Revoking every credential of a device (DELETE /devices/:id/credentials) revokes these too.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ApiPluginOptions } from '../app.ts';
import { requireRole } from '../auth/roles.ts';
import { errorResponses, errors } from '../errors.ts';
import { checkCsr, generateDeviceKey, type CertificateAuthority } from './certificate-authority.ts';
import { insertCertificate, listCertificates, revokeCertificates } from './certificate-repository.ts';
import { Certificate, CertificateParams, IssueCertificateBody, IssuedCertificate, certificateView } from './certificate-schemas.ts';
import { deviceExists } from './device-repository.ts';
import { DeviceParams } from './device-schemas.ts';

export function certificateRoutes(ca: CertificateAuthority): FastifyPluginAsync<ApiPluginOptions> {
  return async function routes(app: FastifyInstance, options: ApiPluginOptions): Promise<void> {
    const { db, events } = options;
    const tags = ['credentials'];

    async function mustExist(id: string): Promise<void> {
      if (!(await deviceExists(db, id))) throw errors.notFound('device', id);
    }

    app.get<{ Params: Static<typeof DeviceParams> }>(
      '/:id/certificates',
      {
        onRequest: requireRole('viewer'),
        schema: { summary: "List a device's client certificates (metadata, never keys)", tags, params: DeviceParams, response: { 200: Type.Array(Certificate), ...errorResponses(404) } },
      },
      async (request) => {
        await mustExist(request.params.id);
        return (await listCertificates(db, request.params.id)).map(certificateView);
      },
    );

    app.post<{ Params: Static<typeof DeviceParams>; Body: Static<typeof IssueCertificateBody> }>(
      '/:id/certificates',
      {
        onRequest: requireRole('operator'),
        schema: {
          summary: 'Issue an X.509 client certificate for MQTT over TLS, from a CSR or with a generated key',
          tags,
          params: DeviceParams,
          body: IssueCertificateBody,
          response: { 201: IssuedCertificate, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { csr, generateKey, validityDays } = request.body;
        if ((csr === undefined) === (generateKey !== true)) throw errors.validation('send exactly one of "csr" (preferred) and "generateKey": true');
        await mustExist(id);
        let publicKey: Parameters<CertificateAuthority['issueClientCertificate']>[1];
        let privateKeyPem: string | undefined;
        if (csr !== undefined) {
          const checked = await checkCsr(csr, id);
          if (!checked.ok) throw errors.badCsr(checked.reason);
          publicKey = checked.publicKey;
        } else {
          ({ publicKey, privateKeyPem } = await generateDeviceKey());
        }
        const issued = await ca.issueClientCertificate(id, publicKey, validityDays);
        const row = await insertCertificate(db, { deviceId: id, ...issued, keyGenerated: privateKeyPem !== undefined });
        return reply.code(201).send({
          deviceId: id,
          certificate: certificateView(row),
          certificatePem: issued.certificatePem,
          caCertificatePem: ca.certificatePem,
          ...(privateKeyPem ? { privateKeyPem } : {}),
        });
      },
    );

    app.delete<{ Params: Static<typeof CertificateParams> }>(
      '/:id/certificates/:serial',
      {
        onRequest: requireRole('operator'),
        schema: {
          summary: 'Revoke one client certificate; the device is disconnected and must reconnect with another credential',
          tags,
          params: CertificateParams,
          response: { 200: Type.Object({ revoked: Type.Integer() }), ...errorResponses(404) },
        },
      },
      async (request) => {
        const { id, serial } = request.params;
        await mustExist(id);
        const revoked = await revokeCertificates(db, id, new Date(), serial.toLowerCase());
        if (revoked === 0) throw errors.notFound('active certificate', serial);
        events.emit('credentials-revoked', id);
        return { revoked };
      },
    );
  };
}

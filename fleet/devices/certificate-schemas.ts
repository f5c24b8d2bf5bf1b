import { Type } from '@sinclair/typebox';
import type { DeviceCertificateRow } from '../db/tables/device-certificates.ts';
import { DeviceId } from './device-schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });
const Pem = Type.String({ description: 'PEM text' });

export const Certificate = Type.Object({
  id: Type.Integer(),
  serial: Type.String({ description: 'hex serial number' }),
  fingerprint: Type.String({ description: 'SHA-256 of the DER certificate, lowercase hex' }),
  notBefore: Timestamp,
  notAfter: Timestamp,
  keyGenerated: Type.Boolean({ description: 'the server generated the key pair (returned once) instead of signing a CSR' }),
  createdAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

export const IssueCertificateBody = Type.Object(
  {
    csr: Type.Optional(
      Type.String({ minLength: 1, maxLength: 16_384, description: 'PKCS#10 request in PEM (preferred: the private key never leaves the device)' }),
    ),
    generateKey: Type.Optional(Type.Boolean({ description: 'true: the server makes an ECDSA P-256 key pair and returns the private key once' })),
    validityDays: Type.Integer({ minimum: 1, maximum: 3650, default: 825 }),
  },
  { additionalProperties: false, description: 'exactly one of csr and generateKey: true' },
);

export const IssuedCertificate = Type.Object({
  deviceId: Type.String(),
  certificate: Certificate,
  certificatePem: Pem,
  caCertificatePem: Type.String({ description: 'the fleet CA: the device trusts the TLS port with it' }),
  privateKeyPem: Type.Optional(Type.String({ description: 'PKCS#8 PEM, only when generateKey; shown only in this response' })),
});

export const CertificateParams = Type.Object({
  id: DeviceId,
  serial: Type.String({ pattern: '^[0-9a-fA-F]{1,64}$' }),
});

export function certificateView(row: DeviceCertificateRow) {
  return {
    id: row.id,
    serial: row.serial,
    fingerprint: row.fingerprint,
    notBefore: row.not_before.toISOString(),
    notAfter: row.not_after.toISOString(),
    keyGenerated: row.key_generated,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

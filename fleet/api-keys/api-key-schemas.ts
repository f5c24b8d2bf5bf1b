import { Type } from '@sinclair/typebox';
import type { ApiKeyRow } from '../db/tables/api-keys.ts';
import { RoleSchema } from '../users/user-schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });

export const ApiKey = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'public part of the key, shown to tell keys apart' }),
  role: RoleSchema,
  createdBy: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

export const CreatedApiKey = Type.Composite([
  ApiKey,
  Type.Object({ key: Type.String({ description: 'the full key; shown only in this response' }) }),
]);

export const CreateApiKeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), role: RoleSchema },
  { additionalProperties: false },
);

export const ApiKeyParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function apiKeyView(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

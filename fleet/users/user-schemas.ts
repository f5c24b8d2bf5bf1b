import { Type } from '@sinclair/typebox';
import type { UserRow } from '../db/tables/users.ts';

export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('viewer')], {
  description: 'viewer reads; operator also manages devices, groups, credentials and desired state; admin also manages users and API keys',
});

export const Username = Type.String({ pattern: '^[A-Za-z0-9._@-]{1,64}$', description: 'letters, digits and . _ @ -, up to 64' });
export const Password = Type.String({ minLength: 8, maxLength: 256 });

export const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: RoleSchema,
  createdAt: Type.String({ format: 'date-time' }),
});

export const CreateUserBody = Type.Object({ username: Username, password: Password, role: RoleSchema }, { additionalProperties: false });

export const UpdateUserBody = Type.Object(
  { role: Type.Optional(RoleSchema), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
);

export const UserParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function userView(row: UserRow) {
  return { id: row.id, username: row.username, role: row.role, createdAt: row.created_at.toISOString() };
}

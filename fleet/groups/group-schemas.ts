import { Type } from '@sinclair/typebox';
import type { GroupWithCount } from './group-repository.ts';

export const GroupName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' });

export const Group = Type.Object({
  name: Type.String(),
  description: Type.String(),
  deviceCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const CreateGroupBody = Type.Object(
  { name: GroupName, description: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const GroupParams = Type.Object({ name: GroupName });

export function groupView(row: GroupWithCount) {
  return { name: row.name, description: row.description, deviceCount: row.device_count, createdAt: row.created_at.toISOString() };
}

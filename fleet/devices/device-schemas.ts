import { Type } from '@sinclair/typebox';
import type { DeviceCredentialRow } from '../db/tables/device-credentials.ts';
import type { DeviceRow } from '../db/tables/devices.ts';
import { GroupName } from '../groups/group-schemas.ts';

const Timestamp = Type.String({ format: 'date-time' });

// A device id is also an MQTT topic level (anc/v1/<id>/...) and the MQTT username: no
// '/', '+', '#' and no leading '$', which would change what a topic filter means.
export const DeviceId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
  description: 'letters, digits, _ and -, up to 64, starting with a letter or digit',
});
export const Tag = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });
const Tags = Type.Array(Tag, { maxItems: 32, uniqueItems: true });
const Name = Type.String({ maxLength: 200 });
const Version = Type.String({ minLength: 1, maxLength: 64 });

export const Device = Type.Object({
  id: Type.String(),
  name: Type.String(),
  hardwareRevision: Type.Union([Type.String(), Type.Null()]),
  firmwareVersion: Type.Union([Type.String(), Type.Null()]),
  modelVersion: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  groups: Type.Array(Type.String()),
  createdAt: Timestamp,
  lastSeen: Type.Union([Timestamp, Type.Null()]),
  online: Type.Boolean(),
});

export const CreateDeviceBody = Type.Object(
  {
    id: Type.Optional(DeviceId),
    name: Type.Optional(Name),
    hardwareRevision: Type.Optional(Version),
    firmwareVersion: Type.Optional(Version),
    modelVersion: Type.Optional(Version),
    tags: Type.Optional(Tags),
    groups: Type.Optional(Type.Array(GroupName, { maxItems: 32, uniqueItems: true })),
  },
  { additionalProperties: false },
);

export const ProvisionedDevice = Type.Object({
  device: Device,
  secret: Type.String({ description: 'MQTT password of the device (username = device id); shown only in this response' }),
});

export const UpdateDeviceBody = Type.Object(
  { name: Type.Optional(Name), tags: Type.Optional(Tags) },
  { additionalProperties: false, minProperties: 1 },
);

export const DeviceParams = Type.Object({ id: DeviceId });

export const DeviceListQuery = Type.Object(
  {
    group: Type.Optional(GroupName),
    tag: Type.Optional(Tag),
    online: Type.Optional(Type.Boolean()),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const Credential = Type.Object({
  id: Type.Integer(),
  createdAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

export const RotatedSecret = Type.Object({
  deviceId: Type.String(),
  credentialId: Type.Integer(),
  secret: Type.String({ description: 'the new device secret; shown only in this response' }),
  revoked: Type.Integer({ description: 'how many older credentials were revoked' }),
});

export function deviceView(row: DeviceRow, groups: string[]) {
  return {
    id: row.id,
    name: row.name,
    hardwareRevision: row.hardware_revision,
    firmwareVersion: row.firmware_version,
    modelVersion: row.model_version,
    tags: row.tags,
    groups,
    createdAt: row.created_at.toISOString(),
    lastSeen: row.last_seen?.toISOString() ?? null,
    online: row.online,
  };
}

export function credentialView(row: DeviceCredentialRow) {
  return { id: row.id, createdAt: row.created_at.toISOString(), revokedAt: row.revoked_at?.toISOString() ?? null };
}

// The retained presence message on `anc/v1/<id>/status`. The device publishes `online: true`
// after connecting and registers `online: false` as its will, so the broker announces an
// unexpected disconnect for it. The server's own presence comes from connect/disconnect hooks;
// this message is what other subscribers (dashboards, other nodes) see.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

export const DeviceStatus = Type.Object(
  {
    v: Type.Literal(1),
    online: Type.Boolean(),
    /** Device clock, epoch ms. Absent in a will (it is written at connect time, sent later). */
    t: Type.Optional(Type.Integer({ minimum: 0 })),
    firmwareVersion: Type.Optional(Type.String({ maxLength: 64, pattern: '^[0-9A-Za-z.+-]+$' })),
    /** Why it went offline, when it knows: a clean shutdown, low battery, an update reboot. */
    reason: Type.Optional(Type.Union([Type.Literal('shutdown'), Type.Literal('low-battery'), Type.Literal('update'), Type.Literal('lost')])),
  },
  { additionalProperties: false },
);
export type DeviceStatus = Static<typeof DeviceStatus>;

const checker = TypeCompiler.Compile(DeviceStatus);

export function validateDeviceStatus(payload: unknown): { ok: true; status: DeviceStatus } | { ok: false; reason: string } {
  if (checker.Check(payload)) return { ok: true, status: payload };
  const error = checker.Errors(payload).First();
  return { ok: false, reason: error ? `${error.path || '/'}: ${error.message}` : 'invalid status' };
}

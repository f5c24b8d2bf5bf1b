// Events a headset publishes on `anc/v1/<id>/events`: emergency detections, errors, calibration
// results and crash reports. One event per message, discriminated by `type`; strict schemas, so a
// malformed event gets a reason instead of a half-filled row.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { NOISE_CLASS_PATTERN, TELEMETRY_LIMITS } from '../telemetry/telemetry-batch.ts';
import { SEMVER_PATTERN } from '../shadow/shadow-schema.ts';

const Millis = Type.Integer({ minimum: 0 });
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const SemVer = Type.String({ pattern: SEMVER_PATTERN, maxLength: 64 });

// Fields every event has. `id` is the device's own id for the event, so a re-sent QoS 1
// message can be stored once (unique on device id + event id).
const common = {
  v: Type.Literal(1),
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,36}$' }),
  /** When it happened, epoch ms, device clock. */
  t: Millis,
};

export const EmergencyEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('emergency'),
    /** Classifier label (siren, alarm, horn, ...); labels come with the model blob, so not an enum. */
    class: Type.String({ pattern: NOISE_CLASS_PATTERN }),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    /** Start of the sound, epoch ms; detection happened `latencyMs` later. */
    startedAt: Millis,
    latencyMs: Type.Number({ minimum: 0, maximum: 10_000 }),
    /** How long cancellation was overridden, once known. */
    durationMs: Type.Optional(Type.Number({ minimum: 0, maximum: 3_600_000 })),
  },
  { additionalProperties: false },
);

export const ErrorEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('error'),
    /** Stable machine code, e.g. ANC_ERR_BAD_VALUE or a negative firmware error number. */
    code: Type.Union([Type.String({ pattern: '^[A-Z][A-Z0-9_]{0,63}$' }), Type.Integer({ minimum: -32768, maximum: 32767 })]),
    message: Type.Optional(Text(512)),
    severity: Type.Union([Type.Literal('warning'), Type.Literal('error'), Type.Literal('fatal')]),
  },
  { additionalProperties: false },
);

export const CalibrationEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('calibration'),
    step: Type.Union([Type.Literal('secondary-path'), Type.Literal('mic-trim'), Type.Literal('feedback-path')]),
    passed: Type.Boolean(),
    /** Fit quality of the identified path, 0..1 (1 = perfect). */
    quality: Type.Number({ minimum: 0, maximum: 1 }),
    taps: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    detail: Type.Optional(Text(512)),
  },
  { additionalProperties: false },
);

export const CrashEvent = Type.Object(
  {
    ...common,
    type: Type.Literal('crash'),
    reason: Text(256),
    firmwareVersion: SemVer,
    uptimeMs: Millis,
    /** Trap or abort location, as text; bounded so a crash loop cannot flood storage. */
    trace: Type.Optional(Text(4096)),
  },
  { additionalProperties: false },
);

export const DeviceEvent = Type.Union([EmergencyEvent, ErrorEvent, CalibrationEvent, CrashEvent]);
export type DeviceEvent = Static<typeof DeviceEvent>;
export type DeviceEventType = DeviceEvent['type'];

const checkers = {
  emergency: TypeCompiler.Compile(EmergencyEvent),
  error: TypeCompiler.Compile(ErrorEvent),
  calibration: TypeCompiler.Compile(CalibrationEvent),
  crash: TypeCompiler.Compile(CrashEvent),
} as const;

export type EventCheck = { ok: true; event: DeviceEvent; deviceId: string } | { ok: false; reason: string };

/** Validates one decoded event; `deviceId` comes from the topic, `now` from the server clock. */
export function validateDeviceEvent(payload: unknown, context: { deviceId: string; now: number }): EventCheck {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ok: false, reason: 'event must be a JSON object' };
  const type = (payload as Record<string, unknown>).type;
  // Dispatch on `type` first: a union's own error ("expected union value") would not say which field is wrong.
  if (typeof type !== 'string' || !Object.hasOwn(checkers, type)) {
    return { ok: false, reason: `/type: expected one of ${Object.keys(checkers).join(', ')}` };
  }
  const checker = checkers[type as DeviceEventType];
  if (!checker.Check(payload)) {
    const error = checker.Errors(payload).First();
    return { ok: false, reason: error ? `${error.path || '/'}: ${error.message}` : 'invalid event' };
  }
  const event = payload as DeviceEvent;
  if (event.t < context.now - TELEMETRY_LIMITS.maxAgeMs || event.t > context.now + TELEMETRY_LIMITS.maxFutureMs) {
    return { ok: false, reason: '/t: outside the accepted time window' };
  }
  if (event.type === 'emergency' && event.startedAt > event.t) return { ok: false, reason: '/startedAt: after the event time' };
  return { ok: true, event, deviceId: context.deviceId };
}

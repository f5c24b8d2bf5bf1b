// The telemetry batch a headset publishes on `anc/v1/<id>/telemetry`, and its validation into
// database rows. Schemas are strict (unknown fields are refused): the telemetry table is the
// volume table, and a column nobody declared should fail loudly at the edge, not vanish.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

export const TELEMETRY_LIMITS = {
  maxSamples: 256,
  /** Headsets buffer while offline; older samples than this are refused rather than back-filled. */
  maxAgeMs: 7 * 24 * 3600_000,
  /** Device clocks drift; a sample this far in the future is a broken clock, not a forecast. */
  maxFutureMs: 5 * 60_000,
} as const;

/** A noise class label as the classifier's model blob names it (labels come with the model). */
export const NOISE_CLASS_PATTERN = '^[a-z][a-z0-9_-]{0,31}$';

export const TelemetrySample = Type.Object(
  {
    /** Sample time, epoch milliseconds, from the device clock. */
    t: Type.Integer({ minimum: 0 }),
    attenuationDb: Type.Number({ minimum: -60, maximum: 120 }),
    errorPower: Type.Number({ minimum: 0, maximum: 1e6 }),
    /** Stability-guard recoveries since boot (a counter; the server differences it). */
    recoveries: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }),
    noiseClass: Type.Optional(Type.String({ pattern: NOISE_CLASS_PATTERN })),
    noiseConfidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** Battery charge, percent. */
    battery: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    intensity: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    emergencies: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  },
  { additionalProperties: false },
);

export const TelemetryBatch = Type.Object(
  {
    v: Type.Literal(1),
    samples: Type.Array(TelemetrySample, { minItems: 1, maxItems: TELEMETRY_LIMITS.maxSamples }),
  },
  { additionalProperties: false },
);
export type TelemetryBatch = Static<typeof TelemetryBatch>;

/** One row of the telemetry table; optional measurements are null, never undefined. */
export interface TelemetryRow {
  deviceId: string;
  t: number;
  attenuationDb: number;
  errorPower: number;
  recoveries: number;
  noiseClass: string | null;
  noiseConfidence: number | null;
  battery: number | null;
  intensity: number | null;
  emergencies: number | null;
}

export type TelemetryCheck = { ok: true; rows: TelemetryRow[] } | { ok: false; reason: string };

const checker = TypeCompiler.Compile(TelemetryBatch);

/**
 * Validates a decoded payload. `deviceId` comes from the topic (never from the payload, so a
 * device cannot write rows for another), `now` from the server clock.
 */
export function validateTelemetryBatch(payload: unknown, context: { deviceId: string; now: number }): TelemetryCheck {
  if (!checker.Check(payload)) {
    const error = checker.Errors(payload).First();
    return { ok: false, reason: error ? `${error.path || '/'}: ${error.message}` : 'invalid telemetry batch' };
  }
  const earliest = context.now - TELEMETRY_LIMITS.maxAgeMs;
  const latest = context.now + TELEMETRY_LIMITS.maxFutureMs;
  const rows: TelemetryRow[] = [];
  for (const [i, sample] of payload.samples.entries()) {
    if (sample.t < earliest) return { ok: false, reason: `/samples/${i}/t: older than ${TELEMETRY_LIMITS.maxAgeMs} ms` };
    if (sample.t > latest) return { ok: false, reason: `/samples/${i}/t: more than ${TELEMETRY_LIMITS.maxFutureMs} ms in the future` };
    rows.push({
      deviceId: context.deviceId,
      t: sample.t,
      attenuationDb: sample.attenuationDb,
      errorPower: sample.errorPower,
      recoveries: sample.recoveries,
      noiseClass: sample.noiseClass ?? null,
      noiseConfidence: sample.noiseConfidence ?? null,
      battery: sample.battery ?? null,
      intensity: sample.intensity ?? null,
      emergencies: sample.emergencies ?? null,
    });
  }
  return { ok: true, rows };
}

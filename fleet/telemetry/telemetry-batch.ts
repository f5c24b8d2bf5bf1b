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

export type TelemetrySample = Static<typeof TelemetrySample>;

/**
 * Rows of the telemetry table hold the samples of one message that fall in one segment: a
 * minute aligned to the epoch. A query for [from, to) then only reads rows whose segment starts
 * at or after segmentStart(from), and retention deletes whole segments (fleet/telemetry/
 * telemetry-repository.ts). A message's samples usually span seconds, so it is usually one row.
 */
export const TELEMETRY_SEGMENT_MS = 60_000;

export function segmentStart(t: number): number {
  return Math.floor(t / TELEMETRY_SEGMENT_MS) * TELEMETRY_SEGMENT_MS;
}

/** One row of the telemetry table: one device's samples in one segment, in the order sent. */
export interface TelemetryRow {
  deviceId: string;
  /** Start of the segment, epoch ms. */
  segment: number;
  samples: readonly TelemetrySample[];
}

export type TelemetryCheck = { ok: true; rows: TelemetryRow[] } | { ok: false; reason: string };

const checker = TypeCompiler.Compile(TelemetryBatch);

/**
 * Validates a decoded payload into rows. `deviceId` comes from the topic (never from the payload,
 * so a device cannot write rows for another), `now` from the server clock. The validated sample
 * objects are stored as they are (the schema admits no other fields), not copied.
 */
export function validateTelemetryBatch(payload: unknown, context: { deviceId: string; now: number }): TelemetryCheck {
  if (!checker.Check(payload)) {
    const error = checker.Errors(payload).First();
    return { ok: false, reason: error ? `${error.path || '/'}: ${error.message}` : 'invalid telemetry batch' };
  }
  const earliest = context.now - TELEMETRY_LIMITS.maxAgeMs;
  const latest = context.now + TELEMETRY_LIMITS.maxFutureMs;
  const { samples } = payload;
  const first = segmentStart(samples[0]!.t);
  let oneSegment = true;
  for (let i = 0; i < samples.length; i++) {
    const t = samples[i]!.t;
    if (t < earliest) return { ok: false, reason: `/samples/${i}/t: older than ${TELEMETRY_LIMITS.maxAgeMs} ms` };
    if (t > latest) return { ok: false, reason: `/samples/${i}/t: more than ${TELEMETRY_LIMITS.maxFutureMs} ms in the future` };
    if (oneSegment && segmentStart(t) !== first) oneSegment = false;
  }
  if (oneSegment) return { ok: true, rows: [{ deviceId: context.deviceId, segment: first, samples }] };
  const bySegment = new Map<number, TelemetrySample[]>();
  for (const sample of samples) {
    const segment = segmentStart(sample.t);
    const group = bySegment.get(segment);
    if (group) group.push(sample);
    else bySegment.set(segment, [sample]);
  }
  return { ok: true, rows: [...bySegment].map(([segment, group]) => ({ deviceId: context.deviceId, segment, samples: group })) };
}

// The benchmark's telemetry batch in JSON (what the fleet accepts) and in CBOR (cborg), which the
// issue asks to adopt only if it pays off, and what each costs the server per message to decode
// and check before storing: JSON through the fleet's own decoder; CBOR through cborg plus the
// same tree inspection (depth, forbidden keys), the least a safe CBOR path would have to do.
// Measured in-process, so the number is the server's own work, not the load generator's.
import { decode as decodeCbor, encode as encodeCbor } from 'cborg';
import { MAX_JSON_DEPTH, PAYLOAD_LIMITS, decodeJsonPayload, inspectJsonTree } from '../../fleet/mqtt/payload-limits.ts';
import { validateTelemetryBatch, type TelemetryBatch } from '../../fleet/telemetry/telemetry-batch.ts';

export type PayloadEncoding = 'json' | 'cbor';


/** `samples` samples 100 ms apart, ending at `t`, as a headset would batch them. */
export function telemetryBatch(samples: number, t = Date.now()): TelemetryBatch {
  return {
    v: 1,
    samples: Array.from({ length: samples }, (_, k) => ({ t: t - k * 100, attenuationDb: 30 + (k % 7), errorPower: 0.0021, recoveries: 0, intensity: 1 })),
  };
}

export function encodeBatch(encoding: PayloadEncoding, batch: TelemetryBatch): Buffer {
  return encoding === 'json' ? Buffer.from(JSON.stringify(batch)) : Buffer.from(encodeCbor(batch));
}

function decodeAndCheck(encoding: PayloadEncoding, bytes: Buffer, now: number): boolean {
  let value: unknown;
  if (encoding === 'json') {
    const decoded = decodeJsonPayload(bytes, { maxBytes: PAYLOAD_LIMITS.telemetry });
    if (!decoded.ok) return false;
    value = decoded.value;
  } else {
    if (bytes.byteLength > PAYLOAD_LIMITS.telemetry) return false;
    value = decodeCbor(bytes);
    if (inspectJsonTree(value, MAX_JSON_DEPTH)) return false;
  }
  return validateTelemetryBatch(value, { deviceId: 'bench-0', now }).ok;
}

export interface DecodeCost {
  encoding: PayloadEncoding;
  samplesPerBatch: number;
  bytes: number;
  /** Decode, safety checks and schema validation, per message. */
  microsPerMessage: number;
}

/** Median of five timed rounds (after a warm-up), so a busy machine's stalls do not dominate. */
export function measureDecodeCost(encoding: PayloadEncoding, samplesPerBatch: number, messagesPerRound = 5000): DecodeCost {
  const now = Date.now();
  const bytes = encodeBatch(encoding, telemetryBatch(samplesPerBatch, now));
  if (!decodeAndCheck(encoding, bytes, now)) throw new Error(`the ${encoding} batch does not validate`);
  for (let i = 0; i < messagesPerRound; i++) decodeAndCheck(encoding, bytes, now);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < messagesPerRound; i++) decodeAndCheck(encoding, bytes, now);
    rounds.push(((performance.now() - started) * 1000) / messagesPerRound);
  }
  rounds.sort((a, b) => a - b);
  return { encoding, samplesPerBatch, bytes: bytes.byteLength, microsPerMessage: rounds[2]! };
}

// The over-the-air update messages of contract 5 (docs/ota.md): the job list the server sends on
// `jobs/notify`, the progress a device reports on `jobs/<jobId>/update`, and the chunk request
// and replies on `ota/<artifact>/chunk/...`. Both sides (fleet/ and the virtual headsets in
// simulator/) use these schemas, so the wire format has one source.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { SEMVER_PATTERN } from '../shadow/shadow-schema.ts';

/** An artifact is named by the SHA-256 of the whole bundle file, lower-case hex (one topic level). */
export const ARTIFACT_ID_PATTERN = '^[0-9a-f]{64}$';
/** Job and rollout ids are one topic level (the charset of fleet/mqtt/topics.ts). */
export const JOB_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';

export const OTA_LIMITS = {
  /** Largest chunk a device may ask for; a reply is this plus the 8-byte header. */
  maxChunkBytes: 32 * 1024,
  /** The chunk size the server suggests in a notification. */
  defaultChunkBytes: 16 * 1024,
  /** Byte length of the binary header in front of every `chunk/data` payload. */
  chunkHeaderBytes: 8,
  maxReasonLength: 256,
} as const;

const SemVer = Type.String({ pattern: SEMVER_PATTERN, maxLength: 64 });
const Millis = Type.Integer({ minimum: 0 });

/**
 * Every state a job passes through. The device reports the middle ones and the outcome; the
 * server sets `queued`, `notified`, `cancelled`, and `failed` on a timeout.
 */
export const JOB_STATES = [
  'queued',
  'notified',
  'downloading',
  'verifying',
  'applying',
  'succeeded',
  'failed',
  'rolled_back',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a device may report on `jobs/<jobId>/update`. */
export const DEVICE_JOB_STATES = ['downloading', 'verifying', 'applying', 'succeeded', 'failed', 'rolled_back'] as const;
export type DeviceJobState = (typeof DEVICE_JOB_STATES)[number];

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

/**
 * One job offered to a device. `install`: fetch, verify and install the bundle. `rollback`: go
 * back to what ran before this job's bundle was installed (the health gate's automatic rollback);
 * the device answers with `rolled_back`.
 */
export const JobDocument = Type.Object(
  {
    jobId: Type.String({ pattern: JOB_ID_PATTERN }),
    rolloutId: Type.String({ pattern: JOB_ID_PATTERN }),
    action: literals(['install', 'rollback'] as const),
    artifact: Type.String({ pattern: ARTIFACT_ID_PATTERN }),
    /** Bundle file length in bytes and its SHA-256 (equal to `artifact`). */
    size: Type.Integer({ minimum: 1 }),
    sha256: Type.String({ pattern: ARTIFACT_ID_PATTERN }),
    /** The manifest's kind and version, so a device can decide before downloading. */
    kind: literals(['firmware', 'model', 'config', 'combined'] as const),
    version: SemVer,
    chunkSize: Type.Integer({ minimum: 256, maximum: OTA_LIMITS.maxChunkBytes }),
  },
  { additionalProperties: false },
);
export type JobDocument = Static<typeof JobDocument>;

/**
 * `anc/v1/<d>/jobs/notify`, server to device, QoS 1: every job of the device that is not finished
 * (including `rollback` requests), oldest first. Sent when the device subscribes (so an offline
 * device gets its jobs on connect) and whenever the list changes; an empty list means nothing to do.
 */
export const JobNotify = Type.Object(
  {
    v: Type.Literal(1),
    jobs: Type.Array(JobDocument, { maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type JobNotify = Static<typeof JobNotify>;

/** `anc/v1/<d>/jobs/<jobId>/update`, device to server, QoS 1: one step of a job. */
export const JobUpdate = Type.Object(
  {
    v: Type.Literal(1),
    state: literals(DEVICE_JOB_STATES),
    /** Device clock, epoch ms. */
    t: Millis,
    /** Bytes of the bundle the device holds (while downloading). */
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Why a step failed or was rolled back (self-test failure, bad signature, ...). */
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: OTA_LIMITS.maxReasonLength })),
    /** What the device runs after `succeeded` or `rolled_back`. */
    running: Type.Optional(
      Type.Object(
        { firmwareVersion: Type.Optional(SemVer), modelVersion: Type.Optional(SemVer) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type JobUpdate = Static<typeof JobUpdate>;

/**
 * `anc/v1/<d>/ota/<artifact>/chunk/get`, device to server, QoS 0: bytes [offset, offset+length)
 * of the bundle. Only a device with an unfinished job for that artifact is served. QoS 0: a lost
 * request or reply is retried by the device after its own timeout, which is also how a download
 * resumes after a reconnect (ask again from the first byte not held).
 */
export const ChunkRequest = Type.Object(
  {
    offset: Type.Integer({ minimum: 0 }),
    length: Type.Integer({ minimum: 1, maximum: OTA_LIMITS.maxChunkBytes }),
  },
  { additionalProperties: false },
);
export type ChunkRequest = Static<typeof ChunkRequest>;

/** `.../chunk/rejected`, server to device, QoS 0: why a request was not served. */
export const ChunkRejected = Type.Object(
  {
    offset: Type.Integer({ minimum: 0 }),
    code: literals(['bad-request', 'out-of-range', 'no-job', 'unknown-artifact', 'unavailable'] as const),
    reason: Type.String({ maxLength: OTA_LIMITS.maxReasonLength }),
  },
  { additionalProperties: false },
);
export type ChunkRejected = Static<typeof ChunkRejected>;

/**
 * `.../chunk/data`, server to device, QoS 0, binary: u32 LE offset, u32 LE bundle size, then the
 * bytes (at most the length asked for; fewer only at the end of the bundle).
 */
export function encodeChunk(offset: number, total: number, bytes: Uint8Array): Buffer {
  const payload = Buffer.allocUnsafe(OTA_LIMITS.chunkHeaderBytes + bytes.length);
  payload.writeUInt32LE(offset, 0);
  payload.writeUInt32LE(total, 4);
  payload.set(bytes, OTA_LIMITS.chunkHeaderBytes);
  return payload;
}

export interface DecodedChunk {
  offset: number;
  total: number;
  bytes: Uint8Array;
}

/** Reads a `chunk/data` payload; undefined when it is too short to hold the header. */
export function decodeChunk(payload: Uint8Array): DecodedChunk | undefined {
  if (payload.length < OTA_LIMITS.chunkHeaderBytes) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return {
    offset: view.getUint32(0, true),
    total: view.getUint32(4, true),
    bytes: payload.subarray(OTA_LIMITS.chunkHeaderBytes),
  };
}

// Serves bundle bytes to devices over MQTT (docs/ota.md): a device asks for a range on
// `ota/<artifact>/chunk/get` and gets it on `chunk/data`, or the reason it cannot on
// `chunk/rejected`. Only a device that may fetch the artifact (it has an unfinished job for it)
// is served, and only the requested range is read from the store. Replies go out at QoS 0: a
// lost one is asked for again by the device, which is also how a download resumes.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ArtifactStore } from '../artifacts/artifact-store.ts';
import type { BinaryPublish } from '../mqtt/binary-publish.ts';
import { PAYLOAD_LIMITS, decodeJsonPayload } from '../mqtt/payload-limits.ts';
import { buildTopic } from '../mqtt/topics.ts';
import { ARTIFACT_ID_PATTERN, ChunkRequest, OTA_LIMITS, encodeChunk, type ChunkRejected } from './ota-messages.ts';

export type ChunkOutcome = 'served' | ChunkRejected['code'];

export interface ChunkServerOptions {
  store: Pick<ArtifactStore, 'read'>;
  repository: { get(id: string): Promise<{ size: number } | undefined> };
  /** QoS 0, not retained. */
  publish: BinaryPublish;
  /** Whether the device may fetch the artifact (an unfinished job for it); wired by the rollouts. */
  mayFetch(deviceId: string, artifactId: string): Promise<boolean>;
  /** A lookup or read failed (the device was told `unavailable`). */
  onError?(error: unknown, deviceId: string, artifactId: string): void;
}

export interface ChunkServer {
  /** Answers one `chunk/get` payload; resolves once the reply is published. */
  handle(deviceId: string, artifactId: string, payload: Buffer): Promise<ChunkOutcome>;
}

const checkRequest = TypeCompiler.Compile(ChunkRequest);
const artifactId = new RegExp(ARTIFACT_ID_PATTERN);

/** Sizes remembered at most; past it the memory starts over (a fleet rolls out a handful at a time). */
const MAX_CACHED_SIZES = 1024;

export function createChunkServer(options: ChunkServerOptions): ChunkServer {
  const { store, repository, publish } = options;

  // An artifact is named by its hash, so its size never changes: one lookup per artifact rather
  // than per chunk. One deleted since is caught by the store read (`unknown-artifact`).
  const sizes = new Map<string, number>();
  async function sizeOf(id: string): Promise<number | undefined> {
    const cached = sizes.get(id);
    if (cached !== undefined) return cached;
    const known = await repository.get(id);
    if (!known) return undefined;
    if (sizes.size >= MAX_CACHED_SIZES) sizes.clear();
    sizes.set(id, known.size);
    return known.size;
  }

  async function reject(deviceId: string, artifact: string, offset: number, code: ChunkRejected['code'], reason: string): Promise<ChunkOutcome> {
    const body: ChunkRejected = { offset, code, reason: reason.slice(0, OTA_LIMITS.maxReasonLength) };
    await publish(buildTopic({ kind: 'ota/chunk/rejected', deviceId, artifact }), Buffer.from(JSON.stringify(body)));
    return code;
  }

  return {
    async handle(deviceId, artifact, payload) {
      const decoded = decodeJsonPayload(payload, { maxBytes: PAYLOAD_LIMITS['ota/chunk/get'] });
      if (!decoded.ok) return reject(deviceId, artifact, 0, 'bad-request', decoded.problem.message);
      if (!checkRequest.Check(decoded.value)) {
        const first = checkRequest.Errors(decoded.value).First();
        const offset = (decoded.value as { offset?: unknown } | null)?.offset;
        return reject(deviceId, artifact, Number.isSafeInteger(offset) && (offset as number) >= 0 ? (offset as number) : 0, 'bad-request', `${first?.path || '/'}: ${first?.message ?? 'invalid'}; expected {"offset": integer >= 0, "length": 1..${OTA_LIMITS.maxChunkBytes}}`);
      }
      const { offset, length } = decoded.value;
      if (!artifactId.test(artifact)) return reject(deviceId, artifact, offset, 'unknown-artifact', 'an artifact is named by the SHA-256 of its bundle (64 lower-case hex)');
      try {
        const size = await sizeOf(artifact);
        if (size === undefined) return await reject(deviceId, artifact, offset, 'unknown-artifact', `artifact ${artifact} does not exist`);
        if (!(await options.mayFetch(deviceId, artifact))) return await reject(deviceId, artifact, offset, 'no-job', `device ${deviceId} has no unfinished job for artifact ${artifact}`);
        if (offset >= size) return await reject(deviceId, artifact, offset, 'out-of-range', `offset ${offset} is past the end of the bundle (${size} bytes)`);
        const bytes = await store.read(artifact, offset, Math.min(length, size - offset));
        if (!bytes) return await reject(deviceId, artifact, offset, 'unknown-artifact', `artifact ${artifact} is no longer stored`);
        await publish(buildTopic({ kind: 'ota/chunk/data', deviceId, artifact }), encodeChunk(offset, size, bytes));
        return 'served';
      } catch (error) {
        options.onError?.(error, deviceId, artifact);
        return reject(deviceId, artifact, offset, 'unavailable', 'the server could not read the artifact; retry later');
      }
    },
  };
}

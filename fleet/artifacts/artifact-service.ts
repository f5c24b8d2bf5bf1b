// Artifact upload, lookup and deletion over the store and the `artifacts` table. An upload is
// streamed to a temporary file (hashed and size-limited on the way), then read back once to
// check structure, hashes and the signature against the trusted keys; only a bundle that passes
// is renamed into the store and gets its row. Same bytes, same id: a second upload of a bundle
// answers the stored one.
import type { ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { BundleError, parseBundle, verifyBundle } from '../../host/bundle/index.ts';
import type { Database } from '../db/database.ts';
import { deleteArtifact, findArtifact, insertArtifact, listArtifacts, type Artifact } from './artifact-repository.ts';
import type { ArtifactStore } from './artifact-store.ts';
import type { TrustedKey } from './trusted-keys.ts';

export type UploadOutcome =
  | { ok: true; artifact: Artifact; created: boolean }
  | { ok: false; problem: 'no-trusted-keys' }
  | { ok: false; problem: 'too-large'; limit: number }
  | { ok: false; problem: 'invalid-bundle'; error: BundleError };

export interface ArtifactService {
  readonly maxUploadBytes: number;
  readonly trustedKeyIds: readonly string[];
  upload(body: Readable, uploadedBy: string | null): Promise<UploadOutcome>;
  get(id: string): Promise<Artifact | undefined>;
  list(filter: Parameters<typeof listArtifacts>[1]): Promise<Artifact[]>;
  /** The stored file of a known artifact, streamed. */
  content(id: string): Promise<{ artifact: Artifact; stream: ReadStream } | undefined>;
  /** False if unknown; a row still referenced by a rollout throws the foreign-key violation. */
  remove(id: string): Promise<boolean>;
}

export interface ArtifactServiceOptions {
  db: Kysely<Database>;
  store: ArtifactStore;
  trustedKeys: readonly TrustedKey[];
  maxUploadBytes: number;
  clock?: () => number;
  /** Called after the stored bytes changed (metrics). */
  onStoreChanged?: (bytesStored: number) => void;
}

export function createArtifactService(options: ArtifactServiceOptions): ArtifactService {
  const { db, store, maxUploadBytes } = options;
  const clock = options.clock ?? Date.now;
  const keys = options.trustedKeys.map((k) => k.key);

  // Verification reads the whole bundle into memory: one at a time bounds that to one upload
  // limit however many arrive together (hashing is synchronous CPU work anyway).
  let verifying: Promise<unknown> = Promise.resolve();
  function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const run = verifying.then(task, task);
    verifying = run.catch(() => undefined);
    return run;
  }

  // Rename-then-insert (upload) and delete-then-unlink (removal) of one id must not interleave,
  // or a row could end up without its file.
  const locks = new Map<string, Promise<unknown>>();
  async function exclusive<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = locks.get(id) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (locks.get(id) === tail) locks.delete(id);
    }
  }

  return {
    maxUploadBytes,
    trustedKeyIds: options.trustedKeys.map((k) => k.keyId),

    async upload(body, uploadedBy) {
      if (keys.length === 0) return { ok: false, problem: 'no-trusted-keys' };
      const received = await store.receive(body, maxUploadBytes);
      if (!received.ok) return { ok: false, problem: 'too-large', limit: maxUploadBytes };
      const { upload } = received;
      try {
        const checked = await oneAtATime(async () => {
          try {
            const parsed = parseBundle(await store.readUpload(upload));
            return { manifest: parsed.manifest, keyId: verifyBundle(parsed, keys).keyId };
          } catch (error) {
            if (error instanceof BundleError) return error;
            throw error;
          }
        });
        if (checked instanceof BundleError) return { ok: false, problem: 'invalid-bundle', error: checked };
        return await exclusive(upload.sha256, async () => {
          const added = await store.commit(upload);
          const stored = await insertArtifact(db, { id: upload.sha256, size: upload.size, keyId: checked.keyId, manifest: checked.manifest, uploadedBy, createdAt: new Date(clock()) });
          if (added) options.onStoreChanged?.(store.bytesStored());
          return { ok: true, ...stored };
        });
      } finally {
        await store.discard(upload);
      }
    },

    get: (id) => findArtifact(db, id),
    list: (filter) => listArtifacts(db, filter),

    async content(id) {
      const artifact = await findArtifact(db, id);
      if (!artifact) return undefined;
      const stream = await store.openContent(id);
      return stream && { artifact, stream };
    },

    remove(id) {
      return exclusive(id, async () => {
        if (!(await deleteArtifact(db, id))) return false;
        // The row is gone first: a crash here leaves an orphan file (harmless, reused by a
        // re-upload of the same bytes), never a row whose bytes are missing.
        if (await store.remove(id)) options.onStoreChanged?.(store.bytesStored());
        return true;
      });
    },
  };
}

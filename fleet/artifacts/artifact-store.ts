// The filesystem artifact store: one file per bundle, named by the SHA-256 of its bytes, under
// `<dir>/<id>.ancb`. An upload streams into `<dir>/tmp/` while being hashed and counted (never
// held whole in memory), is fsynced, and only a verified one is renamed into place, so a crash
// leaves either the old state or the whole file, never a partial one under a real name. Chunk
// serving reads only the requested range.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** A finished upload in the temporary area, not yet verified nor visible under its id. */
export interface ReceivedUpload {
  tempPath: string;
  sha256: string;
  size: number;
}

export type ReceiveOutcome = { ok: true; upload: ReceivedUpload } | { ok: false; reason: 'too-large'; bytesRead: number };

export interface ArtifactStore {
  /** Streams `body` into a temporary file, hashing as it goes; stops (and removes it) past `maxBytes`. */
  receive(body: Readable, maxBytes: number): Promise<ReceiveOutcome>;
  /** The whole bytes of a received upload (for verification; bounded by the upload limit). */
  readUpload(upload: ReceivedUpload): Promise<Buffer>;
  /** Makes a received upload visible under its id (atomic rename); true if it was not there yet. */
  commit(upload: ReceivedUpload): Promise<boolean>;
  /** Removes a temporary upload; nothing happens if it was committed or already gone. */
  discard(upload: ReceivedUpload): Promise<void>;
  /** Bytes [offset, offset + length) of a stored artifact, fewer at its end; undefined if it is not stored. */
  read(id: string, offset: number, length: number): Promise<Buffer | undefined>;
  /** A stream of the whole stored file; undefined if it is not stored. */
  openContent(id: string): Promise<ReadStream | undefined>;
  /** Deletes a stored artifact; false if it was not there. */
  remove(id: string): Promise<boolean>;
  /** Bytes of all stored artifacts (for the metrics gauge). */
  bytesStored(): number;
}

const ID = /^[0-9a-f]{64}$/;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Opens (creating) a store in `dir`; temporary files left by an earlier crash are removed. */
export async function openFileArtifactStore(dir: string): Promise<ArtifactStore> {
  const tmpDir = join(dir, 'tmp');
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  let stored = 0;
  for (const name of await readdir(dir)) {
    if (ID.test(name.replace(/\.ancb$/, ''))) stored += (await stat(join(dir, name))).size;
  }

  const pathOf = (id: string): string => {
    // Ids reach here from validated routes and topics; a check here keeps paths inside `dir` regardless.
    if (!ID.test(id)) throw new Error(`not an artifact id: ${JSON.stringify(id)}`);
    return join(dir, `${id}.ancb`);
  };

  async function syncDir(): Promise<void> {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  return {
    async receive(body, maxBytes) {
      const tempPath = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
      const handle = await open(tempPath, 'wx', 0o600);
      const hash = createHash('sha256');
      let size = 0;
      let complete = false;
      try {
        // Not `for await (... of body)`: leaving that loop early destroys the request stream and
        // with it the socket, before the 413 could be written.
        for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) return { ok: false, reason: 'too-large', bytesRead: size };
          hash.update(chunk);
          await handle.write(chunk);
        }
        await handle.sync();
        complete = true;
        return { ok: true, upload: { tempPath, sha256: hash.digest('hex'), size } };
      } finally {
        await handle.close();
        if (!complete) await rm(tempPath, { force: true });
      }
    },

    readUpload: (upload) => readFile(upload.tempPath),

    async commit(upload) {
      const target = pathOf(upload.sha256);
      const existed = await stat(target).then(
        () => true,
        (error: unknown) => {
          if (isMissing(error)) return false;
          throw error;
        },
      );
      // Same name, same bytes: replacing an existing file changes nothing a reader could see.
      await rename(upload.tempPath, target);
      await syncDir();
      if (!existed) stored += upload.size;
      return !existed;
    },

    discard: (upload) => rm(upload.tempPath, { force: true }),

    async read(id, offset, length) {
      let handle;
      try {
        handle = await open(pathOf(id), 'r');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      try {
        const buffer = Buffer.allocUnsafe(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      } finally {
        await handle.close();
      }
    },

    async openContent(id) {
      const stream = createReadStream(pathOf(id));
      try {
        await new Promise<void>((resolve, reject) => {
          stream.once('open', () => resolve());
          stream.once('error', reject);
        });
        return stream;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async remove(id) {
      const path = pathOf(id);
      let size: number;
      try {
        size = (await stat(path)).size;
        await rm(path);
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
      await syncDir();
      stored -= size;
      return true;
    },

    bytesStored: () => stored,
  };
}

// File helpers shared by the bundle commands: read with a size limit, write atomically.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { MAX_BUNDLE_LENGTH } from '../bundle/bundle-layout.ts';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

/** PEM key files are a few hundred bytes; anything big is the wrong file. */
export const KEY_FILE_LIMIT = 64 * 1024;

/** Reads a whole file, refusing anything larger than a bundle may be (no accidental 10 GB read). */
export function readLimited(path: string, what: string, limit = MAX_BUNDLE_LENGTH): Uint8Array {
  const size = statSync(path).size;
  if (size > limit) throw new CliError(ExitCode.invalid, 'too-large', `${what} ${path} is ${size} bytes, the limit is ${limit}`);
  return new Uint8Array(readFileSync(path));
}

/** Writes via a temporary file and rename, so a crash never leaves a half-written bundle. */
export function writeAtomic(path: string, bytes: Uint8Array, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

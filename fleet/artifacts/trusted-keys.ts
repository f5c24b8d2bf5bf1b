// The Ed25519 public keys the fleet accepts bundle signatures from, read once at start: the PEM
// files named in the configuration (TRUSTED_KEYS / --trusted-key) plus every `*.pem` and `*.pub`
// file in `<DATA_DIR>/trusted-keys/`. A file that is unreadable or not an Ed25519 key stops the
// start (a ConfigError: exit code 2) with a message naming it, rather than silently narrowing
// what uploads may be signed by.
import type { KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError, keyIdOf, loadPublicKey, toHex } from '../../host/bundle/index.ts';
import { ConfigError } from '../config.ts';

export interface TrustedKey {
  keyId: string;
  key: KeyObject;
  source: string;
}

async function filesInDirectory(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names.filter((n) => n.endsWith('.pem') || n.endsWith('.pub')).sort().map((n) => join(dir, n));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError([`trusted key directory ${dir}: ${(error as Error).message}`]);
  }
}

/** Keys from `files` and `dir` (which may be absent), deduplicated by key id. */
export async function loadTrustedKeys(options: { files: readonly string[]; dir?: string }): Promise<TrustedKey[]> {
  const paths = [...options.files, ...(options.dir ? await filesInDirectory(options.dir) : [])];
  const byId = new Map<string, TrustedKey>();
  for (const path of paths) {
    let pem: Buffer;
    try {
      pem = await readFile(path);
    } catch (error) {
      throw new ConfigError([`trusted key ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`]);
    }
    let key: KeyObject;
    try {
      key = loadPublicKey(pem, `trusted key ${path}`);
    } catch (error) {
      if (error instanceof BundleError) throw new ConfigError([error.message]);
      throw error;
    }
    const keyId = toHex(keyIdOf(key));
    if (!byId.has(keyId)) byId.set(keyId, { keyId, key, source: path });
  }
  return [...byId.values()];
}

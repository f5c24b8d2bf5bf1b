// `anc keygen --out <dir>`: a new Ed25519 signing key pair as PEM files.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeys } from '../bundle/signing-keys.ts';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

export const PRIVATE_KEY_FILE = 'anc-signing.key';
export const PUBLIC_KEY_FILE = 'anc-signing.pub';

export interface KeygenInput {
  outDir: string;
  /** Overwrite existing key files (default: refuse, a lost signing key cannot be recovered). */
  force?: boolean;
}

export interface KeygenResult {
  privateKey: string;
  publicKey: string;
  keyId: string;
}

export function runKeygen(input: KeygenInput): KeygenResult {
  const keys = generateSigningKeys();
  mkdirSync(input.outDir, { recursive: true });
  const privateKey = join(input.outDir, PRIVATE_KEY_FILE);
  const publicKey = join(input.outDir, PUBLIC_KEY_FILE);
  // Check both before writing either, so a refusal never leaves half a key pair behind.
  const existing = [privateKey, publicKey].filter((p) => existsSync(p));
  if (existing.length > 0 && !input.force) {
    throw new CliError(ExitCode.file, 'EEXIST', `${existing.join(' and ')} already exist: choose another --out directory, or pass --force to replace the keys (bundles signed with them will no longer verify)`);
  }
  const flag = input.force ? 'w' : 'wx';
  writeFileSync(privateKey, keys.privateKeyPem, { mode: 0o600, flag });
  chmodSync(privateKey, 0o600); // an overwritten file keeps its old mode otherwise
  writeFileSync(publicKey, keys.publicKeyPem, { mode: 0o644, flag });
  return { privateKey, publicKey, keyId: keys.keyId };
}

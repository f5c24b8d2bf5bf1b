// `anc sign <bundle> --key k.pem [--out]`: signs a packed bundle (in place unless --out).
import { createPublicKey } from 'node:crypto';
import { signBundle } from '../bundle/sign-bundle.ts';
import { loadPrivateKey, keyIdOf, toHex } from '../bundle/signing-keys.ts';
import { KEY_FILE_LIMIT, readLimited, writeAtomic } from './bundle-files.ts';

export interface SignCommandInput {
  bundle: string;
  keyPath: string;
  out?: string;
}

export interface SignResult {
  out: string;
  keyId: string;
}

export function runSign(input: SignCommandInput): SignResult {
  const key = loadPrivateKey(Buffer.from(readLimited(input.keyPath, 'key', KEY_FILE_LIMIT)), input.keyPath);
  const signed = signBundle(readLimited(input.bundle, 'bundle'), key);
  const out = input.out ?? input.bundle;
  writeAtomic(out, signed);
  return { out, keyId: toHex(keyIdOf(createPublicKey(key))) };
}

// An API key reads `anc_<prefix>_<secret>`: the prefix (public, unique, stored in clear)
// finds the row with an index; only the secret's hash is stored.
import { randomBytes } from 'node:crypto';
import { generateSecret } from './secret-token.ts';

const KEY_PATTERN = /^anc_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeyParts {
  prefix: string;
  secret: string;
}

export function newApiKey(): ApiKeyParts & { key: string } {
  const prefix = randomBytes(6).toString('hex');
  const secret = generateSecret();
  return { prefix, secret, key: `anc_${prefix}_${secret}` };
}

export function parseApiKey(key: string): ApiKeyParts | undefined {
  const m = KEY_PATTERN.exec(key);
  return m ? { prefix: m[1]!, secret: m[2]! } : undefined;
}

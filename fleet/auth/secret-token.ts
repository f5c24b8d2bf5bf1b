// High-entropy secrets (API keys, device secrets). 32 random bytes cannot be brute-forced,
// so a single SHA-256 is enough to store them and keeps per-connection checks cheap at
// 10,000 devices, where scrypt per MQTT CONNECT would not be.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

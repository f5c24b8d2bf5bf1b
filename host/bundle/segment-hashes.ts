// SHA-256 of an artifact and of each of its segments, as lowercase hex (what the manifest holds).
import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function segmentHashes(bytes: Uint8Array, segmentSize: number): string[] {
  const hashes: string[] = [];
  for (let at = 0; at < bytes.length; at += segmentSize) hashes.push(sha256Hex(bytes.subarray(at, at + segmentSize)));
  return hashes;
}

export function segmentCount(size: number, segmentSize: number): number {
  return Math.ceil(size / segmentSize);
}

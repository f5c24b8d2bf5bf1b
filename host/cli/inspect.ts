// `anc inspect <bundle> [--key pub.pem]...`: what a bundle holds, checked as far as the given
// keys allow. Structure and hashes are always checked; the signature only against given keys.
import { parseBundle } from '../bundle/parse-bundle.ts';
import { sha256Hex } from '../bundle/segment-hashes.ts';
import { loadPublicKey, toHex } from '../bundle/signing-keys.ts';
import { verifyBundle } from '../bundle/verify-bundle.ts';
import { KEY_FILE_LIMIT, readLimited } from './bundle-files.ts';

export interface InspectCommandInput {
  bundle: string;
  keyPaths?: string[];
  hardwareRevision?: string;
  minCounter?: number;
}

export interface InspectResult {
  file: string;
  size: number;
  sha256: string;
  kind: string;
  version: string;
  hardware: string[];
  counter: number;
  created: string;
  signed: boolean;
  keyId: string | null;
  /** True only when the signature was checked against a given trusted key. */
  verified: boolean;
  artifacts: Array<{ name: string; type: string; size: number; sha256: string; segmentSize: number; segments: number }>;
}

export function runInspect(input: InspectCommandInput): InspectResult {
  const keys = (input.keyPaths ?? []).map((p) => loadPublicKey(Buffer.from(readLimited(p, 'key', KEY_FILE_LIMIT)), p));
  const bytes = readLimited(input.bundle, 'bundle');
  const parsed = parseBundle(bytes);
  const { manifest } = parsed;
  const verify = keys.length > 0 || input.hardwareRevision !== undefined || input.minCounter !== undefined;
  if (verify) verifyBundle(parsed, keys, { hardwareRevision: input.hardwareRevision, minCounter: input.minCounter });
  return {
    file: input.bundle,
    size: bytes.length,
    sha256: sha256Hex(bytes),
    kind: manifest.kind,
    version: manifest.version,
    hardware: manifest.hardware,
    counter: manifest.counter,
    created: manifest.created,
    signed: parsed.signature !== null,
    keyId: parsed.signature ? toHex(parsed.signature.keyId) : null,
    verified: verify,
    artifacts: manifest.artifacts.map((a) => ({ name: a.name, type: a.type, size: a.size, sha256: a.sha256, segmentSize: a.segmentSize, segments: a.segments.length })),
  };
}

/** Human-readable report. */
export function formatInspect(r: InspectResult): string {
  const signature = !r.signed ? 'none (unsigned: sign with `anc sign`)' : r.verified ? `valid, key ${r.keyId}` : `key ${r.keyId}, not checked (pass --key anc-signing.pub to verify)`;
  const lines = [
    `${r.file}: ${r.kind} bundle ${r.version}, ${r.size} bytes`,
    `  hardware   ${r.hardware.join(', ')}`,
    `  counter    ${r.counter}`,
    `  created    ${r.created}`,
    `  signature  ${signature}`,
    `  hashes     ok (${r.artifacts.reduce((n, a) => n + a.segments, 0)} segments)`,
    `  artifacts`,
    ...r.artifacts.map((a) => `    ${a.name}  ${a.type}  ${a.size} bytes  sha256 ${a.sha256.slice(0, 16)}…  ${a.segments} x ${a.segmentSize}`),
  ];
  return lines.join('\n');
}

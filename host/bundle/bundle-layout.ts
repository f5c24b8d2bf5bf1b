// Byte layout of a bundle file (docs/bundle-format.md). All integers little-endian; every
// section starts on an 8-byte boundary so a device can map it without copying.
//
//   0   header (32 bytes)
//   32  manifest (UTF-8 JSON, manifestLength bytes), zero-padded to 8
//   ..  signature block (72 bytes): key id (8) + Ed25519 signature (64); zero when unsigned
//   ..  artifact area (artifactsLength bytes): artifacts at their manifest offsets, zero-padded to 8
import { BundleError } from './bundle-error.ts';

export const MAGIC = Uint8Array.from([0x41, 0x4e, 0x43, 0x42]); // "ANCB"
export const FORMAT_VERSION = 1;
export const HEADER_LENGTH = 32;
export const KEY_ID_LENGTH = 8;
export const SIGNATURE_LENGTH = 64;
export const SIGNATURE_BLOCK_LENGTH = KEY_ID_LENGTH + SIGNATURE_LENGTH;
export const ALIGNMENT = 8;
export const FLAG_SIGNED = 0x1;

/** Limits: generous for real bundles, small enough that a hostile header cannot make us allocate much. */
export const MAX_MANIFEST_LENGTH = 1 << 20;
export const MAX_BUNDLE_LENGTH = 256 * (1 << 20);
export const MAX_ARTIFACTS = 16;
export const MIN_SEGMENT_SIZE = 256;
export const MAX_SEGMENT_SIZE = 1 << 20;
// 8 KiB: the per-segment hashes (32 bytes in flash-hashes, 64 hex in the manifest) cost 1.2% of
// the line instead of 2.3% at 4 KiB, which is what lifts a stored flash past 95% of line rate.
export const DEFAULT_SEGMENT_SIZE = 8192;

export interface Header {
  formatVersion: number;
  flags: number;
  manifestLength: number;
  artifactsLength: number;
}

export function pad8(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

export interface Sections {
  manifest: number;
  signature: number;
  artifacts: number;
  end: number;
}

export function sectionsOf(h: Header): Sections {
  const manifest = HEADER_LENGTH;
  const signature = manifest + pad8(h.manifestLength);
  const artifacts = signature + SIGNATURE_BLOCK_LENGTH;
  return { manifest, signature, artifacts, end: artifacts + h.artifactsLength };
}

export function writeHeader(out: Uint8Array, h: Header): void {
  out.set(MAGIC, 0);
  const v = new DataView(out.buffer, out.byteOffset, HEADER_LENGTH);
  v.setUint16(4, h.formatVersion, true);
  v.setUint16(6, HEADER_LENGTH, true);
  v.setUint32(8, h.flags, true);
  v.setUint32(12, h.manifestLength, true);
  v.setUint32(16, h.artifactsLength, true);
  // 20..31 reserved, zero
}

/** Reads and checks the header against the file's real length. */
export function readHeader(bytes: Uint8Array): Header {
  if (bytes.length < HEADER_LENGTH) {
    if (bytes.length >= 4 && !MAGIC.every((b, i) => bytes[i] === b)) notABundle();
    throw new BundleError('truncated', `bundle is ${bytes.length} bytes, shorter than its ${HEADER_LENGTH}-byte header: the file was cut short, copy it again`);
  }
  if (!MAGIC.every((b, i) => bytes[i] === b)) notABundle();
  const v = new DataView(bytes.buffer, bytes.byteOffset, HEADER_LENGTH);
  const h: Header = {
    formatVersion: v.getUint16(4, true),
    flags: v.getUint32(8, true),
    manifestLength: v.getUint32(12, true),
    artifactsLength: v.getUint32(16, true),
  };
  if (h.formatVersion !== FORMAT_VERSION) {
    throw new BundleError('unsupported-version', `bundle format ${h.formatVersion}, this anc reads format ${FORMAT_VERSION}: update anc`);
  }
  const headerLength = v.getUint16(6, true);
  if (headerLength !== HEADER_LENGTH) throw new BundleError('malformed', `header length ${headerLength}, format ${FORMAT_VERSION} has ${HEADER_LENGTH}`);
  if (h.flags & ~FLAG_SIGNED) throw new BundleError('malformed', `unknown header flags 0x${h.flags.toString(16)}`);
  for (let i = 20; i < HEADER_LENGTH; i++) if (bytes[i] !== 0) throw new BundleError('malformed', 'reserved header bytes are not zero');
  if (h.manifestLength === 0 || h.manifestLength > MAX_MANIFEST_LENGTH) {
    throw new BundleError('malformed', `manifest length ${h.manifestLength} outside 1..${MAX_MANIFEST_LENGTH}`);
  }
  if (h.artifactsLength % ALIGNMENT !== 0) throw new BundleError('malformed', `artifact area length ${h.artifactsLength} is not a multiple of ${ALIGNMENT}`);
  const { end } = sectionsOf(h);
  if (end > bytes.length) {
    throw new BundleError('truncated', `bundle header promises ${end} bytes, the file has ${bytes.length}: the file was cut short, copy it again`);
  }
  if (end < bytes.length) throw new BundleError('malformed', `${bytes.length - end} unexpected bytes after the last artifact`);
  return h;
}

function notABundle(): never {
  throw new BundleError('bad-magic', 'not an anc bundle (no "ANCB" magic): check the file name; build one with `anc pack`');
}

export function allZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

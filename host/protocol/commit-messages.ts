// Commit and boot control. The signed manifest is usually larger than a frame (it lists every
// segment hash), so it travels in manifest-chunk messages first; commit then carries the
// signature, and the device verifies signature, hardware, anti-rollback and every artifact hash
// before it marks the new slot pending-test.
import { ProtocolError } from './protocol-error.ts';
import { SHA256_LENGTH } from './flash-messages.ts';
import { defineCodec, WireEnum } from './message-codec.ts';

export const KEY_ID_LENGTH = 8;
export const SIGNATURE_LENGTH = 64;
/** Manifests larger than this are refused by the codec: bounds the device's reassembly buffer. */
export const MAX_MANIFEST_LENGTH = 1 << 20;

export const BootAction = new WireEnum(['test-boot', 'confirm', 'rollback'] as const);
export type BootActionName = (typeof BootAction.names)[number];

export interface ManifestChunk {
  totalLength: number;
  offset: number;
  data: Uint8Array;
}

export interface Commit {
  /** SHA-256 of the whole manifest, so a chunk lost or doubled is caught before verifying. */
  manifestSha256: Uint8Array;
  keyId: Uint8Array;
  signature: Uint8Array;
}

export interface BootControl {
  action: BootActionName;
}

export const manifestChunk = defineCodec<'manifest-chunk', ManifestChunk>({
  kind: 'manifest-chunk',
  type: 0x17,
  encode(w, b) {
    checkChunk(b);
    w.u32(b.totalLength, 'totalLength').u32(b.offset, 'offset').bytes(b.data, 'data');
  },
  decode(r) {
    const b = { totalLength: r.u32('totalLength'), offset: r.u32('offset'), data: r.rest('data') };
    checkChunk(b);
    return b;
  },
});

function checkChunk(b: ManifestChunk): void {
  if (b.totalLength > MAX_MANIFEST_LENGTH) {
    throw new ProtocolError('too-large', `manifest of ${b.totalLength} bytes exceeds ${MAX_MANIFEST_LENGTH}`);
  }
  if (b.data.length === 0 || b.offset + b.data.length > b.totalLength) {
    throw new ProtocolError('bad-value', `manifest chunk ${b.offset}+${b.data.length} does not fit in ${b.totalLength} bytes`);
  }
}

export const commit = defineCodec<'commit', Commit>({
  kind: 'commit',
  type: 0x18,
  encode(w, b) {
    w.bytes(b.manifestSha256, 'manifestSha256', SHA256_LENGTH);
    w.bytes(b.keyId, 'keyId', KEY_ID_LENGTH).bytes(b.signature, 'signature', SIGNATURE_LENGTH);
  },
  decode(r) {
    return {
      manifestSha256: r.bytes(SHA256_LENGTH, 'manifestSha256'),
      keyId: r.bytes(KEY_ID_LENGTH, 'keyId'),
      signature: r.bytes(SIGNATURE_LENGTH, 'signature'),
    };
  },
});

export const bootControl = defineCodec<'boot-control', BootControl>({
  kind: 'boot-control',
  type: 0x19,
  encode(w, b) {
    BootAction.write(w, b.action, 'action');
  },
  decode(r) {
    return { action: BootAction.read(r, 'action') };
  },
});

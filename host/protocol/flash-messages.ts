// Flashing one artifact into the inactive slot: begin, segment hashes, segment writes (acked or
// nacked one by one so the host can keep a window of writes in flight), and status for resume.
// Commit and boot control are in commit-messages.ts.
import { ProtocolError } from './protocol-error.ts';
import { Compression, type CompressionName } from './handshake-messages.ts';
import { checkBitmap, bitmapLength } from './segment-bitmap.ts';
import { defineCodec, emptyBody, WireEnum, type Empty } from './message-codec.ts';

export const ArtifactType = new WireEnum(['firmware-wasm', 'model-blob', 'config-json'] as const);
export type ArtifactTypeName = (typeof ArtifactType.names)[number];
export const NackReason = new WireEnum(['bad-hash', 'bad-compression', 'out-of-range', 'no-session', 'write-failed', 'busy'] as const);
export type NackReasonName = (typeof NackReason.names)[number];

export const SHA256_LENGTH = 32;

export interface FlashBegin {
  artifactName: string;
  artifactType: ArtifactTypeName;
  size: number;
  sha256: Uint8Array;
  segmentSize: number;
  /** Must equal ceil(size / segmentSize); the hashes follow in flash-hashes messages. */
  segmentCount: number;
}

export interface FlashHashes {
  /** Index of the first segment whose hash this message carries. */
  firstIndex: number;
  /** SHA-256 of each segment's uncompressed bytes, in order. */
  hashes: Uint8Array[];
}

export interface FlashSegment {
  index: number;
  compression: CompressionName;
  /** Length of the segment once decompressed (the last segment may be short). */
  rawLength: number;
  data: Uint8Array;
}

export interface SegmentAck {
  index: number;
}
export interface SegmentNack {
  index: number;
  reason: NackReasonName;
}

export interface FlashStatus {
  /** The artifact of the open session ('' when none is open). */
  artifactName: string;
  segmentCount: number;
  /** Segments already written and verified (see segment-bitmap.ts). */
  held: Uint8Array;
}

export function segmentCountFor(size: number, segmentSize: number): number {
  return Math.ceil(size / segmentSize);
}

export const flashBegin = defineCodec<'flash-begin', FlashBegin>({
  kind: 'flash-begin',
  type: 0x10,
  encode(w, b) {
    checkBegin(b);
    w.str8(b.artifactName, 'artifactName');
    ArtifactType.write(w, b.artifactType, 'artifactType');
    w.u32(b.size, 'size').bytes(b.sha256, 'sha256', SHA256_LENGTH);
    w.u32(b.segmentSize, 'segmentSize').u32(b.segmentCount, 'segmentCount');
  },
  decode(r) {
    const b: FlashBegin = {
      artifactName: r.str8('artifactName'),
      artifactType: ArtifactType.read(r, 'artifactType'),
      size: r.u32('size'),
      sha256: r.bytes(SHA256_LENGTH, 'sha256'),
      segmentSize: r.u32('segmentSize'),
      segmentCount: r.u32('segmentCount'),
    };
    checkBegin(b);
    return b;
  },
});

function checkBegin(b: FlashBegin): void {
  if (b.segmentSize < 1) throw new ProtocolError('bad-value', 'flash-begin: segmentSize must be at least 1');
  if (b.segmentCount !== segmentCountFor(b.size, b.segmentSize)) {
    throw new ProtocolError('bad-value', `flash-begin: ${b.size} bytes in segments of ${b.segmentSize} make ${segmentCountFor(b.size, b.segmentSize)} segments, not ${b.segmentCount}`);
  }
}

export const flashHashes = defineCodec<'flash-hashes', FlashHashes>({
  kind: 'flash-hashes',
  type: 0x11,
  encode(w, b) {
    if (b.hashes.length === 0) throw new ProtocolError('bad-value', 'flash-hashes: at least one hash');
    w.u32(b.firstIndex, 'firstIndex');
    for (const h of b.hashes) w.bytes(h, 'segment hash', SHA256_LENGTH);
  },
  decode(r) {
    const firstIndex = r.u32('firstIndex');
    if (r.remaining === 0 || r.remaining % SHA256_LENGTH !== 0) {
      throw new ProtocolError('bad-value', `flash-hashes: ${r.remaining} hash bytes is not a positive multiple of ${SHA256_LENGTH}`);
    }
    const hashes: Uint8Array[] = [];
    while (r.remaining > 0) hashes.push(r.bytes(SHA256_LENGTH, 'segment hash'));
    return { firstIndex, hashes };
  },
});

export const flashSegment = defineCodec<'flash-segment', FlashSegment>({
  kind: 'flash-segment',
  type: 0x12,
  encode(w, b) {
    checkSegment(b);
    w.u32(b.index, 'index');
    Compression.write(w, b.compression, 'compression');
    w.u32(b.rawLength, 'rawLength').bytes(b.data, 'data');
  },
  decode(r) {
    const b: FlashSegment = {
      index: r.u32('index'),
      compression: Compression.read(r, 'compression'),
      rawLength: r.u32('rawLength'),
      data: r.rest('data'),
    };
    checkSegment(b);
    return b;
  },
});

function checkSegment(b: FlashSegment): void {
  if (b.compression === 'none' && b.data.length !== b.rawLength) {
    throw new ProtocolError('bad-value', `flash-segment ${b.index}: stored segment has ${b.data.length} bytes but rawLength ${b.rawLength}`);
  }
}

export const segmentAck = defineCodec<'segment-ack', SegmentAck>({
  kind: 'segment-ack',
  type: 0x13,
  encode(w, b) {
    w.u32(b.index, 'index');
  },
  decode(r) {
    return { index: r.u32('index') };
  },
});

export const segmentNack = defineCodec<'segment-nack', SegmentNack>({
  kind: 'segment-nack',
  type: 0x14,
  encode(w, b) {
    w.u32(b.index, 'index');
    NackReason.write(w, b.reason, 'reason');
  },
  decode(r) {
    return { index: r.u32('index'), reason: NackReason.read(r, 'reason') };
  },
});

export const flashStatusRequest = defineCodec<'flash-status-request', Empty>({ kind: 'flash-status-request', type: 0x15, ...emptyBody });

export const flashStatus = defineCodec<'flash-status', FlashStatus>({
  kind: 'flash-status',
  type: 0x16,
  encode(w, b) {
    checkBitmap(b.segmentCount, b.held);
    w.str8(b.artifactName, 'artifactName').u32(b.segmentCount, 'segmentCount').bytes(b.held, 'held');
  },
  decode(r) {
    const artifactName = r.str8('artifactName');
    const segmentCount = r.u32('segmentCount');
    // Check the claimed count against what is actually there before allocating anything for it.
    if (r.remaining !== bitmapLength(segmentCount)) {
      throw new ProtocolError('bad-value', `flash-status: ${segmentCount} segments need a ${bitmapLength(segmentCount)}-byte bitmap, got ${r.remaining}`);
    }
    const held = r.rest('held');
    checkBitmap(segmentCount, held);
    return { artifactName, segmentCount, held };
  },
});

// Handshake: the first exchange on every connection. The host offers what it supports; the
// device answers with what it chose and how its flash is laid out. See negotiate.ts for the rules.
import { ProtocolError } from './protocol-error.ts';
import { defineCodec, WireEnum } from './message-codec.ts';

export const Compression = new WireEnum(['none', 'deflate-raw'] as const);
export type CompressionName = (typeof Compression.names)[number];
export const HashAlgorithm = new WireEnum(['sha256'] as const);
export type HashName = (typeof HashAlgorithm.names)[number];
export const DeviceMode = new WireEnum(['bootloader', 'application'] as const);
export type DeviceModeName = (typeof DeviceMode.names)[number];
export const PartitionKind = new WireEnum(['bootloader', 'firmware-slot', 'calibration', 'config', 'model'] as const);
export type PartitionKindName = (typeof PartitionKind.names)[number];
export const SlotState = new WireEnum(['empty', 'valid', 'pending-test', 'confirmed', 'invalid'] as const);
export type SlotStateName = (typeof SlotState.names)[number];

/** Partitions a handshake may list: enough for A/B slots plus data partitions, small enough to bound the reply. */
export const MAX_PARTITIONS = 16;
/** "No active slot" (a blank device). */
export const NO_SLOT = 0xff;

export interface HandshakeRequest {
  /** Highest protocol version the host speaks. */
  protocolVersion: number;
  /** Lowest protocol version the host still speaks. */
  minProtocolVersion: number;
  /** Largest frame payload the host can receive. */
  maxFramePayload: number;
  /** Frames the host can buffer before processing (the device's send window). */
  window: number;
  compression: CompressionName[];
  hashes: HashName[];
}

export interface Partition {
  name: string;
  kind: PartitionKindName;
  state: SlotStateName;
  offset: number;
  size: number;
}

export interface HandshakeResponse {
  /** The version the device chose, within the host's range. */
  protocolVersion: number;
  /** Largest frame payload the device can receive. */
  maxFramePayload: number;
  /** Frames the device can buffer (the host's send window). */
  window: number;
  compression: CompressionName[];
  hashes: HashName[];
  mode: DeviceModeName;
  hardwareRevision: string;
  deviceId: string;
  /** Index into `partitions` of the slot that boots, or NO_SLOT. */
  activeSlot: number;
  partitions: Partition[];
}

export const handshakeRequest = defineCodec<'handshake-request', HandshakeRequest>({
  kind: 'handshake-request',
  type: 0x01,
  encode(w, b) {
    w.u16(b.protocolVersion, 'protocolVersion').u16(b.minProtocolVersion, 'minProtocolVersion');
    w.u32(b.maxFramePayload, 'maxFramePayload').u16(b.window, 'window');
    Compression.writeMask(w, b.compression, 'compression');
    HashAlgorithm.writeMask(w, b.hashes, 'hashes');
  },
  decode(r) {
    return {
      protocolVersion: r.u16('protocolVersion'),
      minProtocolVersion: r.u16('minProtocolVersion'),
      maxFramePayload: r.u32('maxFramePayload'),
      window: r.u16('window'),
      compression: Compression.readMask(r, 'compression'),
      hashes: HashAlgorithm.readMask(r, 'hashes'),
    };
  },
});

export const handshakeResponse = defineCodec<'handshake-response', HandshakeResponse>({
  kind: 'handshake-response',
  type: 0x02,
  encode(w, b) {
    w.u16(b.protocolVersion, 'protocolVersion').u32(b.maxFramePayload, 'maxFramePayload').u16(b.window, 'window');
    Compression.writeMask(w, b.compression, 'compression');
    HashAlgorithm.writeMask(w, b.hashes, 'hashes');
    DeviceMode.write(w, b.mode, 'mode');
    w.str8(b.hardwareRevision, 'hardwareRevision').str8(b.deviceId, 'deviceId');
    if (b.partitions.length > MAX_PARTITIONS) {
      throw new ProtocolError('too-large', `${b.partitions.length} partitions, at most ${MAX_PARTITIONS}`);
    }
    checkActiveSlot(b.activeSlot, b.partitions.length);
    w.u8(b.activeSlot, 'activeSlot').u8(b.partitions.length, 'partition count');
    for (const p of b.partitions) {
      w.str8(p.name, 'partition name');
      PartitionKind.write(w, p.kind, 'partition kind');
      SlotState.write(w, p.state, 'partition state');
      w.u32(p.offset, 'partition offset').u32(p.size, 'partition size');
    }
  },
  decode(r) {
    const head = {
      protocolVersion: r.u16('protocolVersion'),
      maxFramePayload: r.u32('maxFramePayload'),
      window: r.u16('window'),
      compression: Compression.readMask(r, 'compression'),
      hashes: HashAlgorithm.readMask(r, 'hashes'),
      mode: DeviceMode.read(r, 'mode'),
      hardwareRevision: r.str8('hardwareRevision'),
      deviceId: r.str8('deviceId'),
      activeSlot: r.u8('activeSlot'),
    };
    const count = r.u8('partition count');
    if (count > MAX_PARTITIONS) throw new ProtocolError('too-large', `handshake lists ${count} partitions, at most ${MAX_PARTITIONS}`);
    checkActiveSlot(head.activeSlot, count);
    const partitions: Partition[] = [];
    for (let i = 0; i < count; i++) {
      partitions.push({
        name: r.str8('partition name'),
        kind: PartitionKind.read(r, 'partition kind'),
        state: SlotState.read(r, 'partition state'),
        offset: r.u32('partition offset'),
        size: r.u32('partition size'),
      });
    }
    return { ...head, partitions };
  },
});

function checkActiveSlot(slot: number, count: number): void {
  if (slot !== NO_SLOT && slot >= count) {
    throw new ProtocolError('bad-value', `activeSlot ${slot} is not a partition index (0..${count - 1}) or ${NO_SLOT}`);
  }
}

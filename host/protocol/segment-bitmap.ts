// Which segments of an artifact a device already holds: one bit per segment, LSB first
// (segment i is bit i % 8 of byte i / 8). Bits past the segment count must be zero.
import { ProtocolError } from './protocol-error.ts';

export function bitmapLength(segmentCount: number): number {
  return Math.ceil(segmentCount / 8);
}

export function bitmapFromIndices(segmentCount: number, held: Iterable<number>): Uint8Array {
  const bitmap = new Uint8Array(bitmapLength(segmentCount));
  for (const i of held) {
    if (!Number.isInteger(i) || i < 0 || i >= segmentCount) {
      throw new ProtocolError('bad-value', `segment ${i} is outside 0..${segmentCount - 1}`);
    }
    bitmap[i >> 3] |= 1 << (i & 7);
  }
  return bitmap;
}

export function indicesFromBitmap(segmentCount: number, bitmap: Uint8Array): number[] {
  checkBitmap(segmentCount, bitmap);
  const held: number[] = [];
  for (let i = 0; i < segmentCount; i++) if (bitmap[i >> 3] & (1 << (i & 7))) held.push(i);
  return held;
}

export function checkBitmap(segmentCount: number, bitmap: Uint8Array): void {
  if (bitmap.length !== bitmapLength(segmentCount)) {
    throw new ProtocolError('bad-value', `segment bitmap is ${bitmap.length} bytes, ${segmentCount} segments need ${bitmapLength(segmentCount)}`);
  }
  const spare = segmentCount & 7;
  if (spare && bitmap[bitmap.length - 1] >> spare) {
    throw new ProtocolError('bad-value', `segment bitmap has bits set past segment ${segmentCount - 1}`);
  }
}

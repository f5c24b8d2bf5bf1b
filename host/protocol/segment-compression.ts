// Per-segment compression for flash writes: raw deflate when it pays, stored otherwise, and a
// bounded inflate so a hostile segment cannot expand past its declared size (a zip bomb).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CompressionName } from './handshake-messages.ts';
import { ProtocolError } from './protocol-error.ts';

export interface PackedSegment {
  compression: CompressionName;
  rawLength: number;
  data: Uint8Array;
}

/** Deflates `raw` if allowed and smaller; otherwise sends it stored. */
export function packSegment(raw: Uint8Array, allowed: readonly CompressionName[]): PackedSegment {
  if (allowed.includes('deflate-raw') && raw.length > 0) {
    // Level 9: the host compresses once per flash, and every byte saved is line time.
    const z = deflateRawSync(raw, { level: 9 });
    if (z.length < raw.length) return { compression: 'deflate-raw', rawLength: raw.length, data: new Uint8Array(z.buffer, z.byteOffset, z.length) };
  }
  return { compression: 'none', rawLength: raw.length, data: raw };
}

/** Recovers a segment's bytes; `maxLength` is the session's segment size. */
export function unpackSegment(s: PackedSegment, maxLength: number): Uint8Array {
  if (s.rawLength > maxLength) {
    throw new ProtocolError('too-large', `segment claims ${s.rawLength} bytes, the segment size is ${maxLength}`);
  }
  if (s.compression === 'none') {
    if (s.data.length !== s.rawLength) throw new ProtocolError('bad-value', `stored segment has ${s.data.length} bytes, expected ${s.rawLength}`);
    return s.data;
  }
  let out: Buffer;
  try {
    // maxOutputLength + 1 so that "longer than declared" is detectable rather than truncated.
    out = inflateRawSync(s.data, { maxOutputLength: s.rawLength + 1 });
  } catch (e) {
    const tooBig = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new ProtocolError(tooBig ? 'too-large' : 'bad-value', tooBig ? `segment inflates past its declared ${s.rawLength} bytes` : 'segment is not valid raw deflate data');
  }
  if (out.length !== s.rawLength) throw new ProtocolError('bad-value', `segment inflates to ${out.length} bytes, declared ${s.rawLength}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

// One frame on the wire: COBS(payload ‖ CRC-32C(payload) little-endian) followed by 0x00.
import { cobsEncode } from './cobs.ts';
import { crc32c } from './crc32c.ts';
import { ABSOLUTE_MAX_PAYLOAD, CRC_LENGTH } from './frame-limits.ts';
import { ProtocolError } from './protocol-error.ts';

export const FRAME_DELIMITER = 0x00;

/**
 * Encodes `payload` into one delimited frame. `maxPayload` is the limit agreed at the handshake;
 * refusing here keeps a sender from emitting frames the peer would silently drop.
 */
export function encodeFrame(payload: Uint8Array, maxPayload = ABSOLUTE_MAX_PAYLOAD): Uint8Array {
  if (payload.length > maxPayload) {
    throw new ProtocolError('too-large', `frame payload of ${payload.length} bytes exceeds the agreed maximum of ${maxPayload}: split it`);
  }
  const raw = new Uint8Array(payload.length + CRC_LENGTH);
  raw.set(payload, 0);
  new DataView(raw.buffer).setUint32(payload.length, crc32c(payload), true);
  const encoded = cobsEncode(raw);
  const frame = new Uint8Array(encoded.length + 1);
  frame.set(encoded, 0);
  frame[encoded.length] = FRAME_DELIMITER;
  return frame;
}

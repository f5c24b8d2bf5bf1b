// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 0x00 from a payload
// so 0x00 can delimit frames on the wire. Overhead is at most 1 byte per 254 plus 1.
import { ProtocolError } from './protocol-error.ts';

/** Largest encoded size for `n` payload bytes (without the 0x00 delimiter). */
export function cobsMaxEncodedLength(n: number): number {
  return n + Math.floor(n / 254) + 1;
}

/** Encodes `data`; the result contains no 0x00 and does not include the delimiter. */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(data.length));
  let codeAt = 0; // where the current block's code byte goes
  let o = 1;
  let code = 1;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    } else {
      out[o++] = b;
      code++;
      // A full block of 254 non-zero bytes ends without an implied zero. Open a new block only
      // if more data follows, otherwise the encoding would end with a spurious 0x01.
      if (code === 0xff && i + 1 < data.length) {
        out[codeAt] = code;
        codeAt = o++;
        code = 1;
      }
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/**
 * Decodes one COBS block (no delimiter). Throws ProtocolError('bad-cobs') on a zero byte or a
 * code that runs past the end, which is what line noise usually produces.
 */
export function cobsDecode(encoded: Uint8Array): Uint8Array {
  const out = new Uint8Array(encoded.length); // decoding never grows
  let o = 0;
  let i = 0;
  while (i < encoded.length) {
    const code = encoded[i];
    if (code === 0) throw new ProtocolError('bad-cobs', `COBS: zero byte at ${i} inside a frame`);
    const end = i + code;
    if (end > encoded.length) {
      throw new ProtocolError('bad-cobs', `COBS: block at ${i} claims ${code - 1} bytes, only ${encoded.length - i - 1} left`);
    }
    for (let j = i + 1; j < end; j++) {
      if (encoded[j] === 0) throw new ProtocolError('bad-cobs', `COBS: zero byte at ${j} inside a frame`);
      out[o++] = encoded[j];
    }
    i = end;
    // Every block except a full one (0xFF) and the last implies a zero after it.
    if (code !== 0xff && i < encoded.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}

// CRC-32 as in IEEE 802.3 / zlib (reflected polynomial 0xEDB88320, initial and final XOR
// 0xFFFFFFFF): the checksum the model blob ends with. Node 20.15+ and 22.2+ have it natively as
// `zlib.crc32`; older Node 20 releases (still allowed by "engines") fall back to a table.
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array) => number;

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The table-driven CRC-32; the firmware's parser computes exactly this, byte by byte. */
export function crc32Portable(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data` as an unsigned 32-bit number. */
export const crc32: Crc32 = native ? (data) => native(data) >>> 0 : crc32Portable;
export const crc32IsNative = native !== undefined;

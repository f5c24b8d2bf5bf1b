// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven.
// Chosen over CRC-32 (IEEE) because it detects more error patterns on short frames and MCUs
// (and SSE4.2/ARMv8) compute it in hardware, so the device side stays cheap.

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32C of `bytes[start, end)`. Pass the previous result as `seed` to continue a running CRC
 * over several chunks (the pre/post inversion is undone and redone, so chunking gives the same value).
 */
export function crc32c(bytes: Uint8Array, seed = 0, start = 0, end = bytes.length): number {
  let crc = ~seed >>> 0;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

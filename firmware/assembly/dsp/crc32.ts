import { CRC_TABLE } from "../memory-map";

// CRC-32 of IEEE 802.3 / zlib (reflected polynomial 0xEDB88320), table-driven: a 64 KiB blob is
// checked in about 64 K table steps inside anc_load_model, which runs between two audio blocks.

export function crc32Init(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(CRC_TABLE + (<usize>n << 2), c);
  }
}

export function crc32(p: usize, len: usize): u32 {
  let c: u32 = 0xffffffff;
  const end = p + len;
  for (; p < end; p++) c = load<u32>(CRC_TABLE + (<usize>((c ^ <u32>load<u8>(p)) & 0xff) << 2)) ^ (c >>> 8);
  return c ^ 0xffffffff;
}

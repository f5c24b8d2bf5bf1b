// The regions of a blob (header, tables, arrays) and the three rules every region obeys: inside
// the blob before the CRC, aligned, and disjoint from every other region. Kept apart from the
// field rules because the firmware checks them the same way, with no allocation: at most
// 4 + 3 * 8 = 28 regions, compared pairwise.
import { check } from './blob-errors.ts';
import { HEADER_SIZE, REGION_ALIGN, CRC_SIZE } from './blob-layout.ts';

export interface Region {
  name: string;
  offset: number;
  size: number;
}

/** OFFSET unless HEADER_SIZE <= offset and offset + size <= length - 4; then ALIGN. */
export function checkRegion(region: Region, blobLength: number): void {
  const end = blobLength - CRC_SIZE;
  // offset <= end first, then size <= end - offset: the firmware's u32 arithmetic cannot wrap
  check(region.offset >= HEADER_SIZE && region.offset <= end && region.size <= end - region.offset, 'OFFSET',
    `${region.name}: ${region.size} bytes at ${region.offset} are not inside ${HEADER_SIZE}..${end}`);
  check(region.offset % REGION_ALIGN === 0, 'ALIGN', `${region.name}: offset ${region.offset} is not a multiple of ${REGION_ALIGN}`);
}

/** OVERLAP if any two regions share a byte (the header counts as a region at 0). */
export function checkDisjoint(regions: readonly Region[]): void {
  const all: Region[] = [{ name: 'header', offset: 0, size: HEADER_SIZE }, ...regions];
  for (let a = 0; a < all.length; a++) {
    for (let b = a + 1; b < all.length; b++) {
      const x = all[a]!;
      const y = all[b]!;
      check(x.offset + x.size <= y.offset || y.offset + y.size <= x.offset, 'OVERLAP', `${x.name} overlaps ${y.name}`);
    }
  }
}

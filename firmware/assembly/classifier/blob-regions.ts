import { FE_FFT } from "../memory-map";
import { HEADER_SIZE, CRC_SIZE, REGION_ALIGN } from "./blob-layout";
import { ANC_OK, ANC_ERR_MODEL_OFFSET, ANC_ERR_MODEL_ALIGN, ANC_ERR_MODEL_OVERLAP } from "../errors";

// The regions of a blob (tables and arrays) as (offset, size) pairs, collected while the parser
// walks the header and the layer table, then tested pairwise for overlap: at most 1 + 4 + 3 x 8
// = 29 regions, no sorting, no allocation. The list lives in the FFT work area, which holds
// nothing between two anc_process calls (anc_load_model runs between them).
const REGIONS: usize = FE_FFT;

// Region i := (offset, size); slot 0 is the header.
export function regionsStart(): void {
  store<u32>(REGIONS, 0);
  store<u32>(REGIONS, HEADER_SIZE, 4);
}

// OFFSET unless 96 <= offset and the region ends before the CRC; then ALIGN. Written so that no
// u32 sum can wrap: offset <= end first, then size <= end - offset. Records the region as slot i.
export function checkRegion(i: i32, offset: u32, size: u64, length: u32): i32 {
  const end = length - CRC_SIZE;
  if (!(offset >= HEADER_SIZE && offset <= end && size <= <u64>(end - offset))) return ANC_ERR_MODEL_OFFSET;
  if (offset % REGION_ALIGN != 0) return ANC_ERR_MODEL_ALIGN;
  const p = REGIONS + (<usize>i << 3);
  store<u32>(p, offset);
  store<u32>(p, <u32>size, 4);
  return ANC_OK;
}

// OVERLAP if any two of the regions 0 .. count-1 (the header included) share a byte.
export function checkDisjoint(count: i32): i32 {
  for (let a = 0; a < count; a++) {
    const pa = REGIONS + (<usize>a << 3);
    const oa = <u64>load<u32>(pa);
    const ea = oa + <u64>load<u32>(pa, 4);
    for (let b = a + 1; b < count; b++) {
      const pb = REGIONS + (<usize>b << 3);
      const ob = <u64>load<u32>(pb);
      const eb = ob + <u64>load<u32>(pb, 4);
      if (!(ea <= ob || eb <= oa)) return ANC_ERR_MODEL_OVERLAP;
    }
  }
  return ANC_OK;
}

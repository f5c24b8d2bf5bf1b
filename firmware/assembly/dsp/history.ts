import { HIST_LEN, HIST_KEEP, HIST_X, HIST_R, HIST_XH, HIST_RF, HIST_Y, HIST_D } from "../memory-map";

// Six delay lines advance together with one write index: the newest sample sits at `pos`, the
// sample k steps older at pos + k, so a filter window is one ascending run of memory.

export const HIST_START: i32 = HIST_LEN - HIST_KEEP;

// Index at which the next sample is written. When the lines run out of room, the newest
// HIST_KEEP - 1 samples move to the far end, once every HIST_LEN - HIST_KEEP samples.
@inline
export function advance(pos: i32): i32 {
  if (pos > 0) return pos - 1;
  const bytes = <usize>(HIST_KEEP - 1) << 2;
  const dst = <usize>(HIST_START + 1) << 2;
  memory.copy(HIST_X + dst, HIST_X, bytes);
  memory.copy(HIST_R + dst, HIST_R, bytes);
  memory.copy(HIST_XH + dst, HIST_XH, bytes);
  memory.copy(HIST_RF + dst, HIST_RF, bytes);
  memory.copy(HIST_Y + dst, HIST_Y, bytes);
  memory.copy(HIST_D + dst, HIST_D, bytes);
  return HIST_START;
}

export function clearHistory(): void {
  memory.fill(HIST_X, 0, <usize>(HIST_D - HIST_X) + (<usize>HIST_LEN << 2));
}

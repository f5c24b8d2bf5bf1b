import { IO_REF, FE_RING, FE_RING_LEN, FE_HIST, FE_FEATURES } from "../memory-map";
import { ClassifierState } from "../classifier/classifier-state";
import { computeFrame } from "./log-mel";

// The front end's schedule inside anc_process. Every block's reference samples are decimated
// (mean of `decim` consecutive samples) into a ring; each time a hop completes, a frame is
// queued. Then at most ONE queued frame is computed (window, FFT, mel, log), so the cost of a
// call is bounded whatever the block size: when a block spans several hops the extra frames wait
// for the next calls, which catch up whenever a call completes no hop. A frame is given up
// (counted in `dropped`) only when the ring has overwritten its first sample, which needs a
// sustained load of more than one hop per call.

// Reference mic samples as the ANC engine sanitises them (NaN -> 0, beyond +-1 -> +-1), uncounted.
@inline function clean(v: f32): f32 {
  if (v >= -1 && v <= 1) return v;
  return isNaN(v) ? 0 : copysign<f32>(1, v);
}

export function frontEndPush(c: ClassifierState, frames: i32): void {
  const d = c.decim;
  const inv: f32 = 1 / <f32>d;
  let count = c.decimCount;
  let sum = c.decimSum;
  let pos = c.ringPos;
  let until = c.untilHop;
  let pending = c.pending;
  for (let i = 0; i < frames; i++) {
    if (ASC_FEATURE_SIMD && d == 3 && count == 0) {
      // 48 -> 16 kHz, the common case: four groups per step while they complete no hop and fit
      // before the ring wraps
      while (i + 12 <= frames && until > 4 && pos + 4 <= FE_RING_LEN) {
        const p = IO_REF + (<usize>i << 2);
        store<v128>(FE_RING + (<usize>pos << 2), decimate3x4(p, inv));
        pos += 4;
        if (pos == FE_RING_LEN) pos = 0;
        until -= 4;
        i += 12;
      }
      if (i == frames) break;
    }
    sum += clean(load<f32>(IO_REF + (<usize>i << 2)));
    if (++count < d) continue;
    store<f32>(FE_RING + (<usize>pos << 2), d == 1 ? sum : sum * inv);
    if (++pos == FE_RING_LEN) pos = 0;
    count = 0;
    sum = 0;
    if (--until == 0) {
      pending++;
      until = c.hop;
    }
  }
  c.decimCount = count;
  c.decimSum = sum;
  c.ringPos = pos;
  c.untilHop = until;
  c.pending = pending;
}

// Means of the four groups of three in the 12 samples at p, cleaned as clean() does, each summed
// in the scalar loop's order ((s0 + s1) + s2) * inv.
@inline function decimate3x4(p: usize, inv: f32): v128 {
  const v0 = clean4(v128.load(p));
  const v1 = clean4(v128.load(p, 16));
  const v2 = clean4(v128.load(p, 32));
  const a = f32x4.shuffle(f32x4.shuffle(v0, v1, 0, 3, 6, 6), v2, 0, 1, 2, 5);
  const b = f32x4.shuffle(f32x4.shuffle(v0, v1, 1, 4, 7, 7), v2, 0, 1, 2, 6);
  const c = f32x4.shuffle(f32x4.shuffle(v0, v1, 2, 5, 5, 5), v2, 0, 1, 4, 7);
  return f32x4.mul(f32x4.add(f32x4.add(a, b), c), f32x4.splat(inv));
}

@inline function clean4(v: v128): v128 {
  const finite = v128.and(v, f32x4.eq(v, v)); // NaN -> 0
  return f32x4.min(f32x4.max(finite, f32x4.splat(-1)), f32x4.splat(1));
}

// Computes the oldest queued frame, if any, into FE_FEATURES and the history. Returns whether it did.
export function frontEndStep(c: ClassifierState): bool {
  const hop = c.hop;
  const len = c.frameLength;
  // the newest queued frame ended (hop - untilHop) samples ago, each older one a hop earlier
  let lag = hop - c.untilHop + (c.pending - 1) * hop;
  while (c.pending > 0 && lag + len > FE_RING_LEN) {
    c.pending--;
    c.dropped++;
    lag -= hop;
  }
  if (c.pending == 0) return false;
  let start = c.ringPos - lag - len;
  if (start < 0) start += FE_RING_LEN;
  computeFrame(c, start);
  c.pending--;

  const f = c.featureCount;
  memory.copy(FE_HIST + (<usize>(c.histHead * f) << 2), FE_FEATURES, <usize>f << 2);
  if (++c.histHead == c.contextFrames) c.histHead = 0;
  if (c.histFrames < c.contextFrames) c.histFrames++;
  c.featureFrames++;
  return true;
}

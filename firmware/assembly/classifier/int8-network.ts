import { FE_HIST, FE_ACT_A, FE_ACT_B, FE_LOGITS } from "../memory-map";
import { H_NORM_MEAN_OFFSET, H_NORM_SCALE_OFFSET, H_INPUT_SCALE, H_INPUT_ZERO_POINT, H_LAYER_TABLE_OFFSET, layerRecord,
  L_OUT_SCALE, L_OUT_ZERO_POINT } from "./blob-layout";
import { ClassifierState } from "./classifier-state";
import { quantize, quantize4 } from "./quantize";
import { runLayer } from "./int8-dense";

// The network on the last context_frames feature frames, oldest first (docs/model-format.md):
// normalise and quantise the input, run each layer from one i8 buffer into the other, and leave
// the last layer's f32 logits in FE_LOGITS. The activation buffers share the FFT work area: the
// frame's FFT is finished before the network starts.
export function runNetwork(c: ClassifierState): void {
  const b = <usize>c.active;
  const f = c.featureCount;
  const ctx = c.contextFrames;
  const mean = b + <usize>load<u32>(b + H_NORM_MEAN_OFFSET);
  const scale = b + <usize>load<u32>(b + H_NORM_SCALE_OFFSET);
  let sx = load<f32>(b + H_INPUT_SCALE);
  let zx = load<i32>(b + H_INPUT_ZERO_POINT);

  // input element j = t F + k: feature k of frame t; the oldest frame is at the history's head
  let slot = c.histHead;
  for (let t = 0; t < ctx; t++) {
    const frame = FE_HIST + (<usize>(slot * f) << 2);
    const xt = FE_ACT_A + <usize>(t * f);
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      for (; k + 4 <= f; k += 4) {
        const o = <usize>k << 2;
        const n = f32x4.mul(f32x4.sub(v128.load(frame + o), v128.load(mean + o)), v128.load(scale + o));
        v128.store32_lane(xt + <usize>k, quantize4(f32x4.div(n, f32x4.splat(sx)), zx, -128), 0);
      }
    }
    for (; k < f; k++) {
      const n: f32 = (load<f32>(frame + (<usize>k << 2)) - load<f32>(mean + (<usize>k << 2))) * load<f32>(scale + (<usize>k << 2));
      store<i8>(xt + <usize>k, <i8>quantize(n / sx, zx, -128));
    }
    if (++slot == ctx) slot = 0;
  }

  const table = load<u32>(b + H_LAYER_TABLE_OFFSET);
  const last = c.layerCount - 1;
  let x = FE_ACT_A;
  let y = FE_ACT_B;
  for (let i = 0; i <= last; i++) {
    const r = layerRecord(b, table, i);
    runLayer(b, r, x, zx, sx, i == last ? FE_LOGITS : y, i == last);
    sx = load<f32>(r + L_OUT_SCALE);
    zx = load<i32>(r + L_OUT_ZERO_POINT);
    const t = x;
    x = y;
    y = t;
  }
}


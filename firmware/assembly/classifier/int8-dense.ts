import { L_TYPE, L_ACTIVATION, L_IN_SIZE, L_OUT_SIZE, L_CHANNELS_IN, L_CHANNELS_OUT, L_KERNEL,
  L_WEIGHTS_OFFSET, L_BIAS_OFFSET, L_WEIGHT_SCALE_OFFSET, L_OUT_SCALE, L_OUT_ZERO_POINT, LAYER_DEPTHWISE, ACT_RELU,
} from "./blob-layout";
import { quantize, quantize4 } from "./quantize";

// One int8 layer of the network (docs/model-format.md, "Inference arithmetic"), read in place from
// the active blob. Accumulators are exact i32 (|acc| < 2^31 by the format's limits), so the
// result is bit-identical to inferModel whatever the order of summation. A dense layer is a
// pointwise layer of one step, so both use the same row kernel.
//   x: i8 input (zero point zx, scale sx); y: i8 output, or f32 logits on the last layer.

// sum_i w[i] * (x[i] - zx) over n inputs, exact in i32 (so the order is free). The SIMD build
// widens eight weights and eight inputs to i16 (x - zx fits: |x - zx| <= 255) and takes the
// pairwise dot product into four i32 lanes. The scalar build computes sum w x - zx sum w with four
// products per step from one u32 load of weights and one of inputs, sign-extended byte by byte,
// which halves the loads and the loop overhead.
@inline function rowDot(w: usize, x: usize, n: i32, zx: i32): i32 {
  let s: i32 = 0;
  let sw: i32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = i16x8.splat(<i16>zx);
    let acc = i32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const xv = i16x8.sub(v128.load8x8_s(x + <usize>i), z);
      acc = i32x4.add(acc, i32x4.dot_i16x8_s(v128.load8x8_s(w + <usize>i), xv));
    }
    s = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
    for (; i < n; i++) s += <i32>load<i8>(w + <usize>i) * (<i32>load<i8>(x + <usize>i) - zx);
    return s;
  }
  for (; i + 4 <= n; i += 4) {
    const wv = load<u32>(w + <usize>i);
    const xv = load<u32>(x + <usize>i);
    const w0 = <i32>(<i8>wv);
    const w1 = <i32>(<i8>(wv >> 8));
    const w2 = <i32>(<i8>(wv >> 16));
    const w3 = <i32>wv >> 24;
    s += w0 * <i32>(<i8>xv) + w1 * <i32>(<i8>(xv >> 8)) + w2 * <i32>(<i8>(xv >> 16)) + w3 * (<i32>xv >> 24);
    sw += w0 + w1 + w2 + w3;
  }
  for (; i < n; i++) {
    const wi = <i32>load<i8>(w + <usize>i);
    s += wi * <i32>load<i8>(x + <usize>i);
    sw += wi;
  }
  return s - zx * sw;
}

// The SIMD rowDot of four consecutive rows of n weights (n a multiple of 8) with one input, as
// four i32 lanes: the input is widened once for the four rows.
@inline function rowDot4(w: usize, x: usize, n: i32, zx: i32): v128 {
  const z = i16x8.splat(<i16>zx);
  const n2 = <usize>(n << 1);
  let a0 = i32x4.splat(0);
  let a1 = i32x4.splat(0);
  let a2 = i32x4.splat(0);
  let a3 = i32x4.splat(0);
  for (let i = 0; i < n; i += 8) {
    const xv = i16x8.sub(v128.load8x8_s(x + <usize>i), z);
    const wi = w + <usize>i;
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load8x8_s(wi), xv));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load8x8_s(wi + <usize>n), xv));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load8x8_s(wi + n2), xv));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load8x8_s(wi + n2 + <usize>n), xv));
  }
  // lane r of the result: the sum of a_r's four lanes
  const s01 = i32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  const s23 = i32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(s01, s23, 0, 1, 4, 5), i32x4.shuffle(s01, s23, 2, 3, 6, 7));
}

// Element e of the output: requantised to i8 with the channel's factor m = (sx ws) / sy, or a
// logit acc (sx ws) on the last layer (m is then sx ws). Loops run channel by channel so m is
// computed once per channel, not per element: the same f32 value, so the result does not change.
@inline function emit(acc: i32, e: i32, y: usize, m: f32, zy: i32, lo: i32, last: bool): void {
  if (last) store<f32>(y + (<usize>e << 2), <f32>acc * m);
  else store<i8>(y + <usize>e, <i8>quantize(<f32>acc * m, zy, lo));
}

// Runs layer record `r` of the blob at `b`. Returns nothing: every input is valid by then.
export function runLayer(b: usize, r: usize, x: usize, zx: i32, sx: f32, y: usize, last: bool): void {
  const type = <u32>load<u8>(r + L_TYPE);
  const inSize = <i32>load<u16>(r + L_IN_SIZE);
  const outSize = <i32>load<u16>(r + L_OUT_SIZE);
  const cin = <i32>load<u16>(r + L_CHANNELS_IN);
  const cout = <i32>load<u16>(r + L_CHANNELS_OUT);
  const k = <i32>load<u16>(r + L_KERNEL);
  const w = b + <usize>load<u32>(r + L_WEIGHTS_OFFSET);
  const bias = b + <usize>load<u32>(r + L_BIAS_OFFSET);
  const scales = b + <usize>load<u32>(r + L_WEIGHT_SCALE_OFFSET);
  const sy = load<f32>(r + L_OUT_SCALE);
  const zy = load<i32>(r + L_OUT_ZERO_POINT);
  const lo = <u32>load<u8>(r + L_ACTIVATION) == ACT_RELU ? zy : -128;

  if (type == LAYER_DEPTHWISE) {
    const steps = outSize / cin;
    for (let c = 0; c < cin; c++) {
      const sw: f32 = sx * load<f32>(scales + (<usize>c << 2));
      const m = last ? sw : sw / sy;
      const b0 = load<i32>(bias + (<usize>c << 2));
      const wc = w + <usize>(c * k);
      for (let t = 0; t < steps; t++) {
        let s = b0;
        for (let j = 0; j < k; j++) {
          s += <i32>load<i8>(wc + <usize>j) * (<i32>load<i8>(x + <usize>((t + j) * cin + c)) - zx);
        }
        emit(s, t * cin + c, y, m, zy, lo, last);
      }
    }
    return;
  }
  // dense (one step of inSize inputs) or pointwise (steps of cin inputs): rows of cin weights
  const steps = inSize / cin;
  let o = 0;
  if (ASC_FEATURE_SIMD && !last && cin % 8 == 0) {
    // four output channels at a time: each input vector serves four rows, and the four
    // accumulators are requantised and stored together
    const vsy = f32x4.splat(sy);
    const vsx = f32x4.splat(sx);
    for (; o + 4 <= cout; o += 4) {
      const m = f32x4.div(f32x4.mul(vsx, v128.load(scales + (<usize>o << 2))), vsy);
      const b4 = v128.load(bias + (<usize>o << 2));
      const wo = w + <usize>(o * cin);
      for (let t = 0; t < steps; t++) {
        const acc = i32x4.add(b4, rowDot4(wo, x + <usize>(t * cin), cin, zx));
        v128.store32_lane(y + <usize>(t * cout + o), quantize4(f32x4.mul(f32x4.convert_i32x4_s(acc), m), zy, lo), 0);
      }
    }
  }
  for (; o < cout; o++) {
    const sw: f32 = sx * load<f32>(scales + (<usize>o << 2));
    const m = last ? sw : sw / sy;
    const b0 = load<i32>(bias + (<usize>o << 2));
    const wo = w + <usize>(o * cin);
    for (let t = 0; t < steps; t++) emit(b0 + rowDot(wo, x + <usize>(t * cin), cin, zx), t * cout + o, y, m, zy, lo, last);
  }
}

// Q(v, z, lo) of docs/model-format.md ("Inference arithmetic"): round half to even (f32.nearest),
// add the zero point in f32, saturate to lo .. 127. NaN gives the zero point.
@inline export function quantize(v: f32, z: i32, lo: i32): i32 {
  if (isNaN(v)) return z;
  const q = nearest<f32>(v) + <f32>z;
  if (q < <f32>lo) return lo;
  if (q > 127) return 127;
  return <i32>q;
}

// quantize() on four values (SIMD build), packed into the vector's low four bytes. The zero point
// lies in lo .. 127, so clamping a NaN's zero point changes nothing; the narrowing saturates as
// the clamp already did.
@inline export function quantize4(v: v128, z: i32, lo: i32): v128 {
  const zf = f32x4.splat(<f32>z);
  const q = v128.bitselect(f32x4.add(f32x4.nearest(v), zf), zf, f32x4.eq(v, v));
  const w = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(q, f32x4.splat(<f32>lo)), f32x4.splat(127)));
  const h = i16x8.narrow_i32x4_s(w, w);
  return i8x16.narrow_i16x8_s(h, h);
}

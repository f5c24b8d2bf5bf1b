// Q(v, z, lo) of docs/model-format.md ("Inference arithmetic"): round half to even (f32.nearest),
// add the zero point in f32, saturate to lo .. 127. NaN gives the zero point.
@inline export function quantize(v: f32, z: i32, lo: i32): i32 {
  if (isNaN(v)) return z;
  const q = nearest<f32>(v) + <f32>z;
  if (q < <f32>lo) return lo;
  if (q > 127) return 127;
  return <i32>q;
}

// Vector kernels of the audio path. One source, two builds: the SIMD module takes the v128 branch,
// the scalar module (for MCUs whose WAMR AOT has no SIMD) the unrolled one. Both walk pointers and
// unroll by four (WAMR's interpreters and AOT run such loops fastest); independent accumulators
// hide the latency of the additions (four vectors took FxLMS from 7.9 to 12.7 M samples/s in V8).

// sum a[i] * b[i], i < n
@inline
export function dot(a: usize, b: usize, n: i32): f32 {
  let acc0: f32 = 0;
  let acc1: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let v0 = f32x4.splat(0);
    let v1 = f32x4.splat(0);
    let v2 = f32x4.splat(0);
    let v3 = f32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      v0 = f32x4.add(v0, f32x4.mul(v128.load(a), v128.load(b)));
      v1 = f32x4.add(v1, f32x4.mul(v128.load(a, 16), v128.load(b, 16)));
      v2 = f32x4.add(v2, f32x4.mul(v128.load(a, 32), v128.load(b, 32)));
      v3 = f32x4.add(v3, f32x4.mul(v128.load(a, 48), v128.load(b, 48)));
      a += 64;
      b += 64;
    }
    for (; i + 4 <= n; i += 4) {
      v0 = f32x4.add(v0, f32x4.mul(v128.load(a), v128.load(b)));
      a += 16;
      b += 16;
    }
    v0 = f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3));
    acc0 = f32x4.extract_lane(v0, 0) + f32x4.extract_lane(v0, 1);
    acc1 = f32x4.extract_lane(v0, 2) + f32x4.extract_lane(v0, 3);
  } else {
    let acc2: f32 = 0;
    let acc3: f32 = 0;
    for (; i + 4 <= n; i += 4) {
      acc0 += load<f32>(a) * load<f32>(b);
      acc1 += load<f32>(a, 4) * load<f32>(b, 4);
      acc2 += load<f32>(a, 8) * load<f32>(b, 8);
      acc3 += load<f32>(a, 12) * load<f32>(b, 12);
      a += 16;
      b += 16;
    }
    acc0 += acc2;
    acc1 += acc3;
  }
  for (; i < n; i++) {
    acc0 += load<f32>(a) * load<f32>(b);
    a += 4;
    b += 4;
  }
  return acc0 + acc1;
}

// The LMS step fused with the filter output, one pass over the coefficients:
// w[i] += g * r[i]; returns sum w[i] * x[i] with the updated w.
@inline
export function updateDot(w: usize, r: usize, x: usize, n: i32, g: f32): f32 {
  let acc0: f32 = 0;
  let acc1: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const gv = f32x4.splat(g);
    let v0 = f32x4.splat(0);
    let v1 = f32x4.splat(0);
    let v2 = f32x4.splat(0);
    let v3 = f32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      const w0 = f32x4.add(v128.load(w), f32x4.mul(gv, v128.load(r)));
      const w1 = f32x4.add(v128.load(w, 16), f32x4.mul(gv, v128.load(r, 16)));
      const w2 = f32x4.add(v128.load(w, 32), f32x4.mul(gv, v128.load(r, 32)));
      const w3 = f32x4.add(v128.load(w, 48), f32x4.mul(gv, v128.load(r, 48)));
      v128.store(w, w0);
      v128.store(w, w1, 16);
      v128.store(w, w2, 32);
      v128.store(w, w3, 48);
      v0 = f32x4.add(v0, f32x4.mul(w0, v128.load(x)));
      v1 = f32x4.add(v1, f32x4.mul(w1, v128.load(x, 16)));
      v2 = f32x4.add(v2, f32x4.mul(w2, v128.load(x, 32)));
      v3 = f32x4.add(v3, f32x4.mul(w3, v128.load(x, 48)));
      w += 64;
      r += 64;
      x += 64;
    }
    for (; i + 4 <= n; i += 4) {
      const w0 = f32x4.add(v128.load(w), f32x4.mul(gv, v128.load(r)));
      v128.store(w, w0);
      v0 = f32x4.add(v0, f32x4.mul(w0, v128.load(x)));
      w += 16;
      r += 16;
      x += 16;
    }
    v0 = f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3));
    acc0 = f32x4.extract_lane(v0, 0) + f32x4.extract_lane(v0, 1);
    acc1 = f32x4.extract_lane(v0, 2) + f32x4.extract_lane(v0, 3);
  } else {
    let acc2: f32 = 0;
    let acc3: f32 = 0;
    for (; i + 4 <= n; i += 4) {
      const w0 = load<f32>(w) + g * load<f32>(r);
      const w1 = load<f32>(w, 4) + g * load<f32>(r, 4);
      const w2 = load<f32>(w, 8) + g * load<f32>(r, 8);
      const w3 = load<f32>(w, 12) + g * load<f32>(r, 12);
      store<f32>(w, w0);
      store<f32>(w, w1, 4);
      store<f32>(w, w2, 8);
      store<f32>(w, w3, 12);
      acc0 += w0 * load<f32>(x);
      acc1 += w1 * load<f32>(x, 4);
      acc2 += w2 * load<f32>(x, 8);
      acc3 += w3 * load<f32>(x, 12);
      w += 16;
      r += 16;
      x += 16;
    }
    acc0 += acc2;
    acc1 += acc3;
  }
  for (; i < n; i++) {
    const wi = load<f32>(w) + g * load<f32>(r);
    store<f32>(w, wi);
    acc0 += wi * load<f32>(x);
    w += 4;
    r += 4;
    x += 4;
  }
  return acc0 + acc1;
}

// a[i] *= k, i < n
export function scale(a: usize, n: i32, k: f32): void {
  for (let i = 0; i < n; i++) {
    store<f32>(a, load<f32>(a) * k);
    a += 4;
  }
}

export function sumSquares(a: usize, n: i32): f32 {
  return dot(a, a, n);
}

export function zero(a: usize, n: i32): void {
  memory.fill(a, 0, <usize>n << 2);
}

// true when every value of a[0..n) is finite
export function allFinite(a: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    if (!isFinite(load<f32>(a + (<usize>i << 2)))) return false;
  }
  return true;
}

import { TWIDDLE, FFT_MAX } from "../memory-map";

// In-place radix-2 complex FFT on interleaved (re, im) f32 pairs. One twiddle table for the
// largest size serves every smaller one by striding; it is filled once by fftInit.

export function fftInit(): void {
  const half = FFT_MAX >> 1;
  for (let k = 0; k < half; k++) {
    const a: f32 = (<f32>-2 * Mathf.PI * <f32>k) / <f32>FFT_MAX;
    const p = TWIDDLE + (<usize>k << 3);
    store<f32>(p, Mathf.cos(a));
    store<f32>(p, Mathf.sin(a), 4);
  }
}

// n: a power of two, 2 .. FFT_MAX. inverse: conjugate twiddles and scale by 1/n.
export function fft(buf: usize, n: i32, inverse: bool): void {
  // bit-reversal permutation
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const a = buf + (<usize>i << 3);
      const b = buf + (<usize>j << 3);
      const re = load<f32>(a);
      const im = load<f32>(a, 4);
      store<f32>(a, load<f32>(b));
      store<f32>(a, load<f32>(b, 4), 4);
      store<f32>(b, re);
      store<f32>(b, im, 4);
    }
  }
  const sign: f32 = inverse ? -1 : 1;
  let len = 2;
  if (ASC_FEATURE_SIMD) {
    firstStageSimd(buf, n);
    len = 4;
  }
  for (; len <= n; len <<= 1) {
    const half = len >> 1;
    const stride = <usize>(FFT_MAX / len) << 3;
    for (let start = 0; start < n; start += len) {
      const a = buf + (<usize>start << 3);
      if (ASC_FEATURE_SIMD) butterfliesSimd(a, a + (<usize>half << 3), half, stride, sign);
      else butterflies(a, a + (<usize>half << 3), half, stride, sign);
    }
  }
  if (inverse) {
    const k: f32 = 1 / <f32>n;
    for (let i = 0; i < n << 1; i++) {
      const p = buf + (<usize>i << 2);
      store<f32>(p, load<f32>(p) * k);
    }
  }
}

// The `half` butterflies of one group: a[k], b[k] <- a[k] +- w^k b[k], w^k every `stride` bytes of the table.
@inline function butterflies(a: usize, b: usize, half: i32, stride: usize, sign: f32): void {
  let tw = TWIDDLE;
  for (let k = 0; k < half; k++) {
    const wr = load<f32>(tw);
    const wi = sign * load<f32>(tw, 4);
    const br = load<f32>(b);
    const bi = load<f32>(b, 4);
    const tr = br * wr - bi * wi;
    const ti = br * wi + bi * wr;
    const ar = load<f32>(a);
    const ai = load<f32>(a, 4);
    store<f32>(a, ar + tr);
    store<f32>(a, ai + ti, 4);
    store<f32>(b, ar - tr);
    store<f32>(b, ai - ti, 4);
    tw += stride;
    a += 8;
    b += 8;
  }
}

// The SIMD build's stages, two complex values per vector. The first stage's twiddle is 1, so its
// two butterflies z0 +- z1 share one vector.
@inline function firstStageSimd(buf: usize, n: i32): void {
  const end = buf + (<usize>n << 3);
  const plusMinus = f32x4(1, 1, -1, -1);
  for (let p = buf; p < end; p += 16) {
    const v = v128.load(p);
    v128.store(p, f32x4.add(f32x4.shuffle(v, v, 0, 1, 0, 1), f32x4.mul(f32x4.shuffle(v, v, 2, 3, 2, 3), plusMinus)));
  }
}

// butterflies() two at a time (half >= 2): the twiddles of k and k + 1 (one stride apart in the
// table) in one vector, multiplied as (br wr - bi wi, bi wr + br wi) with the (re, im) swap of b.
@inline function butterfliesSimd(a: usize, b: usize, half: i32, stride: usize, sign: f32): void {
  const flip = f32x4.mul(f32x4.splat(sign), f32x4(-1, 1, -1, 1));
  let tw = TWIDDLE;
  for (let k = 0; k < half; k += 2) {
    const w = v128.load64_lane(tw + stride, v128.load64_zero(tw), 1);
    const wr = f32x4.shuffle(w, w, 0, 0, 2, 2);
    const wi = f32x4.mul(f32x4.shuffle(w, w, 1, 1, 3, 3), flip);
    const bv = v128.load(b);
    const t = f32x4.add(f32x4.mul(bv, wr), f32x4.mul(f32x4.shuffle(bv, bv, 1, 0, 3, 2), wi));
    const av = v128.load(a);
    v128.store(a, f32x4.add(av, t));
    v128.store(b, f32x4.sub(av, t));
    tw += stride << 1;
    a += 16;
    b += 16;
  }
}

// Real samples src[0..n) into interleaved complex dst[0..n) with zero imaginary parts.
export function realToComplex(dst: usize, src: usize, n: i32): void {
  for (let i = n - 1; i >= 0; i--) {
    const v = load<f32>(src + (<usize>i << 2));
    const d = dst + (<usize>i << 3);
    store<f32>(d, v);
    store<f32>(d, 0, 4);
  }
}

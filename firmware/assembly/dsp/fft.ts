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
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const stride = <usize>(FFT_MAX / len) << 3;
    for (let start = 0; start < n; start += len) {
      let tw = TWIDDLE;
      let a = buf + (<usize>start << 3);
      let b = a + (<usize>half << 3);
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
  }
  if (inverse) {
    const k: f32 = 1 / <f32>n;
    for (let i = 0; i < n << 1; i++) {
      const p = buf + (<usize>i << 2);
      store<f32>(p, load<f32>(p) * k);
    }
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

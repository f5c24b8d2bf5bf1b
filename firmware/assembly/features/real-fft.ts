import { FE_FFT, TWIDDLE, FFT_MAX } from "../memory-map";
import { fft } from "../dsp/fft";

// Power spectrum of a real frame of n samples (n a power of two, 16 .. FFT_MAX) with one complex
// FFT of n/2 points: the samples are packed as z[m] = x[2m] + i x[2m+1] (realPack), and the
// spectrum is unpacked as X_k = E_k + W^k O_k with E_k = (Z_k + conj Z_{n/2-k}) / 2,
// O_k = (Z_k - conj Z_{n/2-k}) / 2i, W = exp(-2 pi i / n). Half the work and half the memory of
// a complex FFT of n points, and the same twiddle table as fd-fxlms (index k * FFT_MAX / n).

// Complex FFT of the packed frame in FE_FFT (n/2 complex values).
export function realFft(n: i32): void {
  fft(FE_FFT, n >> 1, false);
}

export const PART_RE: i32 = 0;
export const PART_IM: i32 = 1;
export const PART_POWER: i32 = 2;

// X_k for k = 0 .. n/2 after realFft (the packed spectrum is only read): its real part, its
// imaginary part or |X_k|^2, as `part` says (a constant at every call, so the inlined code keeps
// only what is asked for).
@inline export function spectrumAt(k: i32, n: i32, part: i32): f32 {
  const half = n >> 1;
  const a = FE_FFT + (<usize>(k & (half - 1)) << 3); // Z_k (k = n/2 wraps to Z_0)
  const b = FE_FFT + (<usize>((half - k) & (half - 1)) << 3); // Z_{n/2-k}
  const zr = load<f32>(a);
  const zi = load<f32>(a, 4);
  const cr = load<f32>(b);
  const ci: f32 = -load<f32>(b, 4); // conj
  const er: f32 = <f32>0.5 * (zr + cr);
  const ei: f32 = <f32>0.5 * (zi + ci);
  // O = (Z - C) / 2i = (Im(Z - C), -Re(Z - C)) / 2
  const or: f32 = <f32>0.5 * (zi - ci);
  const oi: f32 = <f32>-0.5 * (zr - cr);
  let wr: f32 = -1; // W^{n/2} = -1, outside the table
  let wi: f32 = 0;
  if (k < half) {
    // k * FFT_MAX / n as a shift: both are powers of two, and a division per bin was a third of the unpacking's time
    const t = TWIDDLE + (<usize>(k << (ctz<i32>(FFT_MAX) - ctz<i32>(n))) << 3);
    wr = load<f32>(t);
    wi = load<f32>(t, 4);
  }
  const xr = er + (wr * or - wi * oi);
  const xi = ei + (wr * oi + wi * or);
  if (part == PART_RE) return xr;
  if (part == PART_IM) return xi;
  return xr * xr + xi * xi;
}

// |X_k|^2 for k = 0 .. n/2, after realFft.
@inline export function powerAt(k: i32, n: i32): f32 {
  return spectrumAt(k, n, PART_POWER);
}

// |X_k|^2 for the four bins k .. k + 3 in one vector (SIMD build only), for 1 <= k and
// k + 3 < n/2, where neither Z_k nor Z_{n/2-k} wraps: the arithmetic of spectrumAt lane by lane,
// in its order, so the powers are the same bits.
@inline export function power4(k: i32, n: i32): v128 {
  const z = FE_FFT + (<usize>k << 3);
  const z01 = v128.load(z);
  const z23 = v128.load(z, 16);
  const zr = f32x4.shuffle(z01, z23, 0, 2, 4, 6);
  const zi = f32x4.shuffle(z01, z23, 1, 3, 5, 7);
  // Z_{n/2-k-3} .. Z_{n/2-k}, lane L wanting Z_{n/2-k-L}
  const m = FE_FFT + (<usize>((n >> 1) - k - 3) << 3);
  const c01 = v128.load(m);
  const c23 = v128.load(m, 16);
  const cr = f32x4.shuffle(c23, c01, 2, 0, 6, 4);
  const ci = f32x4.neg(f32x4.shuffle(c23, c01, 3, 1, 7, 5));
  const shift = ctz<i32>(FFT_MAX) - ctz<i32>(n);
  const t = TWIDDLE + (<usize>(k << shift) << 3);
  const step = <usize>8 << shift;
  const w01 = v128.load64_lane(t + step, v128.load64_zero(t), 1);
  const w23 = v128.load64_lane(t + 3 * step, v128.load64_zero(t + 2 * step), 1);
  const wr = f32x4.shuffle(w01, w23, 0, 2, 4, 6);
  const wi = f32x4.shuffle(w01, w23, 1, 3, 5, 7);
  const h = f32x4.splat(0.5);
  const er = f32x4.mul(h, f32x4.add(zr, cr));
  const ei = f32x4.mul(h, f32x4.add(zi, ci));
  const or = f32x4.mul(h, f32x4.sub(zi, ci));
  const oi = f32x4.mul(f32x4.splat(-0.5), f32x4.sub(zr, cr));
  const xr = f32x4.add(er, f32x4.sub(f32x4.mul(wr, or), f32x4.mul(wi, oi)));
  const xi = f32x4.add(ei, f32x4.add(f32x4.mul(wr, oi), f32x4.mul(wi, or)));
  return f32x4.add(f32x4.mul(xr, xr), f32x4.mul(xi, xi));
}

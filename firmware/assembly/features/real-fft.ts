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

// Averaged power spectrum (Welch: Hann window, 50% overlap) of one stretch of a signal.
import FFT from 'fft.js';
import type { SampleWindow } from './sample-window.ts';

export interface PowerSpectrum {
  /** Spacing of the bins in Hz; bin k is centred on k * binHz. */
  binHz: number;
  /** One-sided power spectral density (power per Hz), bins 0 .. fftSize/2. */
  psd: Float64Array;
}

export const DEFAULT_FFT_SIZE = 8192;

/** The FFT size used for a window: the default, or the largest power of two that fits. */
export function fftSizeFor(length: number, preferred = DEFAULT_FFT_SIZE): number {
  let size = preferred;
  while (size > 16 && size > length) size >>= 1;
  return size;
}

export function welchSpectrum(
  x: ArrayLike<number>,
  window: SampleWindow,
  sampleRate: number,
  preferredSize = DEFAULT_FFT_SIZE,
): PowerSpectrum {
  const size = fftSizeFor(window.end - window.start, preferredSize);
  const hop = size / 2;
  const hann = new Float64Array(size);
  let windowPower = 0;
  for (let i = 0; i < size; i++) {
    hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
    windowPower += hann[i] * hann[i];
  }
  const fft = new FFT(size);
  const frame = new Float64Array(size);
  const spectrum: number[] = fft.createComplexArray();
  const psd = new Float64Array(size / 2 + 1);
  let segments = 0;
  for (let s = window.start; s + size <= window.end; s += hop) {
    for (let i = 0; i < size; i++) frame[i] = x[s + i] * hann[i];
    fft.realTransform(spectrum, frame);
    for (let k = 0; k <= size / 2; k++) {
      psd[k] += spectrum[2 * k] ** 2 + spectrum[2 * k + 1] ** 2;
    }
    segments++;
  }
  // one-sided density: DC and Nyquist appear once, every other bin twice
  const scale = 1 / (Math.max(segments, 1) * sampleRate * windowPower);
  for (let k = 0; k <= size / 2; k++) psd[k] *= k === 0 || k === size / 2 ? scale : 2 * scale;
  return { binHz: sampleRate / size, psd };
}

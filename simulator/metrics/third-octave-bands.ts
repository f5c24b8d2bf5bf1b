// One-third-octave bands from 20 Hz to 8 kHz (IEC 61260-1, base-10 centre frequencies).
import type { PowerSpectrum } from './welch-spectrum.ts';

export interface ThirdOctaveBand {
  /** The nominal centre frequency used as the band's name (20, 25, 31.5, ...). */
  hz: number;
  /** Exact centre 1000 * 10^(k/10) and edges a twentieth of a decade either side. */
  centreHz: number;
  lowHz: number;
  highHz: number;
}

const NOMINAL = [
  20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600,
  2000, 2500, 3150, 4000, 5000, 6300, 8000,
];

export const THIRD_OCTAVE_BANDS: readonly ThirdOctaveBand[] = NOMINAL.map((hz, i) => {
  const centreHz = 1000 * 10 ** ((i - 17) / 10);
  return { hz, centreHz, lowHz: centreHz * 10 ** -0.05, highHz: centreHz * 10 ** 0.05 };
});

/**
 * Power in each band: each bin stands for [k - 1/2, k + 1/2] * binHz and contributes the part of
 * that span inside the band, so the narrow low bands (20 Hz is 4.6 Hz wide, under one bin of an
 * 8192-point FFT at 48 kHz) still get a fair share instead of nothing.
 */
export function bandPowers(
  spectrum: PowerSpectrum,
  bands: readonly { lowHz: number; highHz: number }[] = THIRD_OCTAVE_BANDS,
): Float64Array {
  const { binHz, psd } = spectrum;
  return Float64Array.from(bands, (band) => {
    let power = 0;
    const first = Math.max(0, Math.floor(band.lowHz / binHz + 0.5));
    const last = Math.min(psd.length - 1, Math.ceil(band.highHz / binHz - 0.5));
    for (let k = first; k <= last; k++) {
      const overlap = Math.min(band.highHz, (k + 0.5) * binHz) - Math.max(band.lowHz, (k - 0.5) * binHz);
      if (overlap > 0) power += psd[k] * overlap;
    }
    return power;
  });
}

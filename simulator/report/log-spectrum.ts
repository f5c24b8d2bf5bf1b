// A spectrum resampled onto a log-frequency grid in dB, small enough for the report and the plot.
import { bandPowers } from '../metrics/third-octave-bands.ts';
import type { PowerSpectrum } from '../metrics/welch-spectrum.ts';

export interface LogSpectrumGrid {
  lowHz: number;
  highHz: number;
  pointsPerOctave: number;
}

export const DEFAULT_GRID: LogSpectrumGrid = { lowHz: 20, highHz: 20000, pointsPerOctave: 24 };

/** The grid frequencies, from lowHz up to highHz or Nyquist. */
export function gridFrequencies(sampleRate: number, grid = DEFAULT_GRID): number[] {
  const high = Math.min(grid.highHz, sampleRate / 2);
  const count = Math.ceil(Math.log2(high / grid.lowHz) * grid.pointsPerOctave - 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => Math.min(high, grid.lowHz * 2 ** (i / grid.pointsPerOctave)));
}

// Levels below this are drawn as this (and keep JSON free of -Infinity).
const FLOOR_DB = -200;

/**
 * Mean power spectral density in dB over a band one grid step wide around each frequency: it
 * smooths the many fine bins at high frequency and takes the one bin it falls in at low frequency.
 */
export function logSpectrumDb(spectrum: PowerSpectrum, frequencies: readonly number[], pointsPerOctave = DEFAULT_GRID.pointsPerOctave): number[] {
  const halfStep = 2 ** (0.5 / pointsPerOctave);
  const bands = frequencies.map((hz) => ({ lowHz: hz / halfStep, highHz: hz * halfStep }));
  const powers = bandPowers(spectrum, bands);
  return bands.map((band, i) => Math.max(FLOOR_DB, 10 * Math.log10(powers[i] / (band.highHz - band.lowHz))));
}

// Everything measured on one run's trace: the achieved side of the report.
import type { RunTrace } from '../trace.ts';
import { bandPowers } from './third-octave-bands.ts';
import { compareBands, worstBand, type BandAttenuation, type WorstBand } from './band-attenuation.ts';
import { convergenceCurve, convergenceSeconds, type ConvergenceCurve } from './convergence.ts';
import { steadyStateWindow, type SampleWindow } from './sample-window.ts';
import { attenuationDb, meanPower } from './signal-power.ts';
import { welchSpectrum, type PowerSpectrum } from './welch-spectrum.ts';

export interface RunMetrics {
  window: SampleWindow;
  /** Broadband attenuation over the steady-state window. */
  attenuationDb: number;
  disturbanceSpectrum: PowerSpectrum;
  residualSpectrum: PowerSpectrum;
  /** Band powers of the disturbance, the reference for every per-band figure. */
  disturbanceBands: Float64Array;
  bands: BandAttenuation[];
  worstBand: WorstBand | null;
  convergence: ConvergenceCurve;
  /** From the start, or from the last path change; null if it never settled. */
  convergenceSeconds: number | null;
}

export function measureRun(trace: RunTrace, window = steadyStateWindow(trace)): RunMetrics {
  const { disturbance, residual, sampleRate } = trace;
  const broadband = attenuationDb(meanPower(disturbance, window.start, window.end), meanPower(residual, window.start, window.end));
  const disturbanceSpectrum = welchSpectrum(disturbance, window, sampleRate);
  const residualSpectrum = welchSpectrum(residual, window, sampleRate);
  const disturbanceBands = bandPowers(disturbanceSpectrum);
  const bands = compareBands(disturbanceBands, bandPowers(residualSpectrum));
  const convergence = convergenceCurve(disturbance, residual, sampleRate);
  return {
    window,
    attenuationDb: broadband,
    disturbanceSpectrum,
    residualSpectrum,
    disturbanceBands,
    bands,
    worstBand: worstBand(bands),
    convergence,
    convergenceSeconds: convergenceSeconds(convergence, broadband, trace.lastPathChange / sampleRate),
  };
}

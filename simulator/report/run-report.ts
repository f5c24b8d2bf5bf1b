// The judgement on one run: what the firmware achieved, what the best fixed controller of the
// same length would have achieved, and where in frequency and time the difference lies. Plain
// data, so report.json holds everything the plot shows.
import type { RunTrace } from '../trace.ts';
import { compareBands } from '../metrics/band-attenuation.ts';
import { measureRun } from '../metrics/run-metrics.ts';
import { bandPowers } from '../metrics/third-octave-bands.ts';
import { welchSpectrum } from '../metrics/welch-spectrum.ts';
import { DIAGONAL_LOADING, wienerOptimum } from '../optimum/wiener-optimum.ts';
import { gridFrequencies, logSpectrumDb } from './log-spectrum.ts';

/** The firmware's own account of the run, from its status struct at the end. */
export interface FirmwareSummary {
  /** Divergences the stability guard caught and recovered from. */
  recoveries: number;
  /** Non-finite or out-of-range mic samples replaced. */
  sanitized: number;
  /** Output samples the limiter reduced. */
  limited: number;
  /** The firmware's running estimate of its attenuation, for comparison with the measured one. */
  estimatedAttenuationDb: number;
  stepSize: number;
  coefNorm: number;
}

export interface ReportInfo {
  scenario: string;
  description?: string;
  algorithm: string;
  variant?: string;
}

export interface BandReport {
  hz: number;
  attenuationDb: number;
  optimumDb: number;
  /** False where the disturbance is negligible: such a band never counts as amplified. */
  counted: boolean;
}

export interface RunReport {
  scenario: string;
  description: string | null;
  algorithm: string;
  variant: string | null;
  seconds: number;
  sampleRate: number;
  taps: number;
  /** Where the steady-state figures were measured. */
  window: { startSeconds: number; endSeconds: number };
  pathChangeSeconds: number | null;
  attenuationDb: number;
  optimumDb: number;
  /** optimumDb - attenuationDb: what the algorithm left on the table (negative if it beat a fixed filter). */
  gapDb: number;
  /** From the start or the last path change to within 3 dB of the steady state; null if never. */
  convergenceMs: number | null;
  /** Residual over disturbance in the worst counted band, positive = amplified. */
  worstBandGainDb: number | null;
  worstBandHz: number | null;
  bands: BandReport[];
  optimum: { errorMicLatency: number; diagonalLoading: number };
  firmware: FirmwareSummary;
  /** Attenuation per block, and smoothed over `smoothingMs` (what convergence is judged on). */
  convergence: { blockMs: number; smoothingMs: number; startSeconds: number[]; attenuationDb: number[]; smoothedDb: number[] };
  /** Power spectral density in dB (re full scale squared per Hz) over the steady-state window. */
  spectrum: { hz: number[]; disturbanceDb: number[]; residualDb: number[]; optimumDb: number[] };
}

const round = (v: number, places = 2) => Math.round(v * 10 ** places) / 10 ** places;

export function buildReport(trace: RunTrace, info: ReportInfo): RunReport {
  const fs = trace.sampleRate;
  const metrics = measureRun(trace);
  const { window } = metrics;
  const optimum = wienerOptimum(trace, window);
  const optimumSpectrum = welchSpectrum(optimum.residual, { start: 0, end: optimum.residual.length }, fs);
  const optimumBands = compareBands(metrics.disturbanceBands, bandPowers(optimumSpectrum));
  const hz = gridFrequencies(fs);
  const level = (spectrum: typeof optimumSpectrum) => logSpectrumDb(spectrum, hz).map((v) => round(v, 1));
  return {
    scenario: info.scenario,
    description: info.description ?? null,
    algorithm: info.algorithm,
    variant: info.variant ?? null,
    seconds: round(trace.disturbance.length / fs, 3),
    sampleRate: fs,
    taps: trace.taps,
    window: { startSeconds: round(window.start / fs, 3), endSeconds: round(window.end / fs, 3) },
    pathChangeSeconds: trace.lastPathChange > 0 ? round(trace.lastPathChange / fs, 3) : null,
    attenuationDb: round(metrics.attenuationDb),
    optimumDb: round(optimum.attenuationDb),
    gapDb: round(optimum.attenuationDb - metrics.attenuationDb),
    convergenceMs: metrics.convergenceSeconds === null ? null : Math.round(metrics.convergenceSeconds * 1000),
    worstBandGainDb: metrics.worstBand && round(metrics.worstBand.gainDb),
    worstBandHz: metrics.worstBand && metrics.worstBand.hz,
    bands: metrics.bands.map((band, i) => ({
      hz: band.hz,
      attenuationDb: round(band.attenuationDb),
      optimumDb: round(optimumBands[i].attenuationDb),
      counted: band.counted,
    })),
    optimum: { errorMicLatency: optimum.errorMicLatency, diagonalLoading: DIAGONAL_LOADING },
    firmware: {
      recoveries: trace.status.recoveries,
      sanitized: trace.status.sanitized,
      limited: trace.status.limited,
      estimatedAttenuationDb: round(trace.status.attenuationDb),
      stepSize: trace.status.stepSize,
      coefNorm: round(trace.status.coefNorm, 4),
    },
    convergence: {
      blockMs: round(metrics.convergence.blockSeconds * 1000, 1),
      smoothingMs: round(metrics.convergence.blockSeconds * metrics.convergence.smoothingBlocks * 1000, 1),
      startSeconds: Array.from(metrics.convergence.startSeconds, (v) => round(v, 3)),
      attenuationDb: Array.from(metrics.convergence.attenuationDb, (v) => round(v)),
      smoothedDb: Array.from(metrics.convergence.smoothedDb, (v) => round(v)),
    },
    spectrum: {
      hz: hz.map((v) => round(v, 1)),
      disturbanceDb: level(metrics.disturbanceSpectrum),
      residualDb: level(metrics.residualSpectrum),
      optimumDb: level(optimumSpectrum),
    },
  };
}

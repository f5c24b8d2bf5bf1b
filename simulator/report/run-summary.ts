// The one-line verdict on a run, as the CLI prints it and the plot titles it.
import type { RunReport } from './run-report.ts';

const db = (v: number) => v.toFixed(1);
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

export function runSummary(report: Pick<RunReport, 'attenuationDb' | 'optimumDb' | 'gapDb' | 'convergenceMs' | 'worstBandGainDb' | 'worstBandHz'>): string {
  const converged = report.convergenceMs === null ? 'did not converge' : `converged in ${report.convergenceMs} ms`;
  const worst = report.worstBandGainDb === null ? 'no disturbance to judge bands by' : `worst band ${signed(report.worstBandGainDb)} dB at ${report.worstBandHz} Hz`;
  return `achieved ${db(report.attenuationDb)} dB, optimum ${db(report.optimumDb)} dB (gap ${db(report.gapDb)} dB), ${converged}, ${worst}`;
}

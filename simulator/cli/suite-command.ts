// `anc-sim suite`: every scenario with its own algorithm (and any others asked for), one row each.
import type { AlgorithmName, FirmwareVariant } from '../../firmware/loader.ts';
import type { RunReport } from '../report/run-report.ts';
import { SCENARIOS, type Scenario } from '../scenarios/index.ts';
import { judgeRun } from './judged-run.ts';

export type SuiteRow = Pick<
  RunReport,
  'scenario' | 'algorithm' | 'taps' | 'attenuationDb' | 'optimumDb' | 'gapDb' | 'convergenceMs' | 'worstBandGainDb' | 'worstBandHz'
>;

export interface SuiteOptions {
  algorithms?: readonly AlgorithmName[];
  seconds?: number;
  variant?: FirmwareVariant;
  scenarios?: readonly Scenario[];
  /** Called as each row is done, so a long suite shows progress. */
  onRow?: (row: SuiteRow) => void;
}

export function suiteCommand(options: SuiteOptions = {}): SuiteRow[] {
  const rows: SuiteRow[] = [];
  for (const scenario of options.scenarios ?? SCENARIOS) {
    for (const algorithm of new Set([scenario.algorithm, ...(options.algorithms ?? [])])) {
      const { report } = judgeRun(scenario, { algorithm, seconds: options.seconds, variant: options.variant });
      const row: SuiteRow = {
        scenario: report.scenario,
        algorithm: report.algorithm,
        taps: report.taps,
        attenuationDb: report.attenuationDb,
        optimumDb: report.optimumDb,
        gapDb: report.gapDb,
        convergenceMs: report.convergenceMs,
        worstBandGainDb: report.worstBandGainDb,
        worstBandHz: report.worstBandHz,
      };
      rows.push(row);
      options.onRow?.(row);
    }
  }
  return rows;
}

const COLUMNS: { title: string; cell: (row: SuiteRow) => string }[] = [
  { title: 'scenario', cell: (r) => r.scenario },
  { title: 'algorithm', cell: (r) => r.algorithm },
  { title: 'taps', cell: (r) => `${r.taps}` },
  { title: 'achieved dB', cell: (r) => r.attenuationDb.toFixed(1) },
  { title: 'optimum dB', cell: (r) => r.optimumDb.toFixed(1) },
  { title: 'gap dB', cell: (r) => r.gapDb.toFixed(1) },
  { title: 'converged ms', cell: (r) => (r.convergenceMs === null ? 'never' : `${r.convergenceMs}`) },
  {
    title: 'worst band dB',
    cell: (r) => (r.worstBandGainDb === null ? '-' : `${r.worstBandGainDb >= 0 ? '+' : ''}${r.worstBandGainDb.toFixed(1)} @ ${r.worstBandHz} Hz`),
  },
];

/** A plain-text table: names left-aligned, figures right-aligned. */
export function formatSuiteTable(rows: readonly SuiteRow[]): string {
  const cells = [COLUMNS.map((c) => c.title), ...rows.map((row) => COLUMNS.map((c) => c.cell(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  const format = (line: string[]) => line.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  return [format(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(format)].join('\n');
}

// One scenario run through the world and judged: the trace and its report.
import type { AlgorithmName } from '../../firmware/loader.ts';
import { buildReport, type RunReport } from '../report/run-report.ts';
import type { Scenario } from '../scenarios/index.ts';
import type { RunTrace } from '../trace.ts';
import { runScenario, type RunOptions } from '../world.ts';

/** The firmware's RLS handles at most this many taps (ANC_ERR_RLS_TAPS). */
export const RLS_MAX_TAPS = 32;

export interface JudgedRun {
  trace: RunTrace;
  report: RunReport;
}

/**
 * Runs `scenario` with `options` and judges it. Asking for RLS on a scenario tuned for a longer
 * filter shortens the filter to what RLS supports rather than failing: RLS is the short-filter
 * algorithm by design, and the report's `taps` says what ran. `note` is added to the description.
 */
export function judgeRun(scenario: Scenario, options: RunOptions = {}, note?: string): JudgedRun {
  const algorithm: AlgorithmName = options.algorithm ?? scenario.algorithm;
  const taps = options.params?.taps ?? scenario.params.taps;
  const params = algorithm === 'rls' && (taps === undefined || taps > RLS_MAX_TAPS) ? { ...options.params, taps: RLS_MAX_TAPS } : options.params;
  const trace = runScenario(scenario, { ...options, algorithm, params });
  const report = buildReport(trace, {
    scenario: scenario.name,
    description: note ? `${scenario.description} ${note}` : scenario.description,
    algorithm,
    variant: options.variant ?? 'scalar', // the world's default
  });
  return { trace, report };
}

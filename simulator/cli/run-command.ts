// `anc-sim run`: one scenario, judged, with its outputs written to a directory.
import { join } from 'node:path';
import type { FirmwareVariant } from '../../firmware/loader.ts';
import { writeRunOutputs } from '../report/run-outputs.ts';
import type { RunReport } from '../report/run-report.ts';
import { getScenario } from '../scenarios/index.ts';
import { judgeRun } from './judged-run.ts';
import { readNoiseFile } from './noise-file.ts';
import { parseAlgorithm } from './option-values.ts';

export interface RunCommandOptions {
  scenario: string;
  algorithm?: string;
  /** A WAV recording that replaces the scenario's noise. */
  noise?: string;
  seconds?: number;
  /** Default out/<scenario>-<algorithm>. */
  out?: string;
  variant?: FirmwareVariant;
}

export interface RunCommandResult {
  report: RunReport;
  dir: string;
  files: string[];
}

export function runCommand(options: RunCommandOptions): RunCommandResult {
  const scenario = getScenario(options.scenario);
  const algorithm = options.algorithm === undefined ? scenario.algorithm : parseAlgorithm(options.algorithm);
  const noise = options.noise === undefined ? undefined : readNoiseFile(options.noise);
  const note = noise && `Noise replaced by ${options.noise}.`;
  const { trace, report } = judgeRun(scenario, { algorithm, noise, seconds: options.seconds, variant: options.variant }, note);
  const dir = options.out ?? join('out', `${scenario.name}-${algorithm}`);
  return { report, dir, files: writeRunOutputs(dir, report, trace) };
}

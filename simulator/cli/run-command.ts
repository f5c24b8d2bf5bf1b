// `anc-sim run`: one scenario, judged, with its outputs written to a directory. With a recording
// as the noise, the report also says what the firmware's classifier and emergency detector made of
// that recording (host/training/recording-analysis.ts, shared with `anc classify`).
import { join } from 'node:path';
import type { FirmwareVariant } from '../../firmware/loader.ts';
import { analyseRecording, readModel, type LoadedModel } from '../../host/training/recording-analysis.ts';
import type { RecordingReport } from '../../host/training/recording-report.ts';
import { writeRunOutputs } from '../report/run-outputs.ts';
import type { RunReport } from '../report/run-report.ts';
import { getScenario } from '../scenarios/index.ts';
import { judgeRun } from './judged-run.ts';
import { readNoiseFile } from './noise-file.ts';
import { parseAlgorithm } from './option-values.ts';

/** The scenario a recording plays in when none is named: broadband FxLMS on the default earcup. */
export const RECORDING_SCENARIO = 'road';

export interface RunCommandOptions {
  /** Required unless `noise` is given (then default RECORDING_SCENARIO). */
  scenario?: string;
  algorithm?: string;
  /** A WAV recording that replaces the scenario's noise. */
  noise?: string;
  /** Model blob for the recording's classification (default models/default.ancm). */
  model?: string;
  seconds?: number;
  /** Default out/<scenario>-<algorithm>. */
  out?: string;
  variant?: FirmwareVariant;
}

export interface RunCommandResult {
  report: RunReport & { classification?: RecordingReport };
  dir: string;
  files: string[];
}

export function runCommand(options: RunCommandOptions): RunCommandResult {
  if (options.scenario === undefined && options.noise === undefined) throw new Error('--scenario is required unless --noise gives a recording');
  const scenario = getScenario(options.scenario ?? RECORDING_SCENARIO);
  const algorithm = options.algorithm === undefined ? scenario.algorithm : parseAlgorithm(options.algorithm);
  const recording = options.noise === undefined ? undefined : readNoiseFile(options.noise);
  const model = recording && readRunModel(options.model); // a bad blob fails before the long run
  const note = recording && `Noise replaced by ${options.noise}.`;
  const judged = judgeRun(scenario, { algorithm, noise: recording?.samples, seconds: options.seconds, variant: options.variant }, note);
  const report = recording && model ? { ...judged.report, classification: analyseRecording(recording, model) } : judged.report;
  const dir = options.out ?? join('out', `${scenario.name}-${algorithm}`);
  return { report, dir, files: writeRunOutputs(dir, report, judged.trace) };
}

function readRunModel(path?: string): LoadedModel {
  try {
    return readModel(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`model file not found: ${path}`);
    throw error;
  }
}

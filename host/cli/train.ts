// `anc train <dir> --out model.ancm [--report report.json]`: argument checks, files and output
// only; the pipeline is host/training/.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { trainModel, type TrainModelOptions } from '../training/train-model.ts';
import { TrainingError } from '../training/training-error.ts';
import type { TrainingReport } from '../training/training-report.ts';
import { CliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

export interface TrainArgs extends Omit<TrainModelOptions, 'dir'> {
  dir: string;
  out: string;
  report?: string;
}

export interface TrainResult {
  out: string;
  report?: string;
  blobBytes: number;
  heldOutAccuracy: number;
  summary: TrainingReport;
}

/** TrainingError -> CliError: unreadable paths are file errors (4), unusable content invalid input (2). */
export function trainingCliError(e: unknown): unknown {
  if (e instanceof TrainingError) return new CliError(e.kind === 'file' ? ExitCode.file : ExitCode.invalid, e.code, e.message);
  return e;
}

export function runTrain(a: TrainArgs): TrainResult {
  try {
    const { blob, report } = trainModel(a);
    mkdirSync(dirname(a.out), { recursive: true });
    writeFileSync(a.out, blob);
    if (a.report) {
      mkdirSync(dirname(a.report), { recursive: true });
      writeFileSync(a.report, `${JSON.stringify(report, null, 2)}\n`);
    }
    return { out: a.out, ...(a.report ? { report: a.report } : {}), blobBytes: blob.length, heldOutAccuracy: report.heldOutAccuracy, summary: report };
  } catch (e) {
    throw trainingCliError(e);
  }
}

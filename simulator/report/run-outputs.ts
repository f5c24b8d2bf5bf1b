// Writes one run's outputs to a directory: report.json, the error mic before and after as WAV
// (listen to them), and plot.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunTrace } from '../trace.ts';
import { writeWav } from '../wav.ts';
import { renderRunPlot } from './run-plot.ts';
import type { RunReport } from './run-report.ts';

export const OUTPUT_FILES = ['report.json', 'error-before.wav', 'error-after.wav', 'plot.svg'] as const;

export function writeRunOutputs(dir: string, report: RunReport, trace: RunTrace): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeWav(join(dir, 'error-before.wav'), trace.sampleRate, [trace.disturbance]);
  writeWav(join(dir, 'error-after.wav'), trace.sampleRate, [trace.residual]);
  writeFileSync(join(dir, 'plot.svg'), renderRunPlot(report));
  return OUTPUT_FILES.map((name) => join(dir, name));
}

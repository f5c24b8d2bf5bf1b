// `anc classify file.wav [--model m.ancm]`: the firmware's decisions and emergencies on a recording
// (printed by host/training/recording-text.ts).
import { analyseRecording, readModel, readRecording } from '../training/recording-analysis.ts';
import type { RecordingReport } from '../training/recording-report.ts';
import { trainingCliError } from './train.ts';

export function runClassify(file: string, modelPath?: string): RecordingReport {
  try {
    return analyseRecording(readRecording(file), readModel(modelPath));
  } catch (e) {
    throw trainingCliError(e);
  }
}

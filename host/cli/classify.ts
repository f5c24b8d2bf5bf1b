// `anc classify file.wav [--model m.ancm]`: the firmware's decisions over time on a recording.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classifyRecording, type Classification } from '../training/classify-recording.ts';
import { trainingCliError } from './train.ts';

/** The model `npm run train:default` leaves in the repository. */
export const DEFAULT_MODEL = fileURLToPath(new URL('../../models/default.ancm', import.meta.url));

export function runClassify(file: string, modelPath = DEFAULT_MODEL): Classification {
  try {
    return classifyRecording(file, new Uint8Array(readFileSync(modelPath)));
  } catch (e) {
    throw trainingCliError(e);
  }
}

export function formatClassification(c: Classification): string {
  // one line per change of decision, then the totals
  const lines: string[] = [];
  let previous: string | null | undefined;
  for (const d of c.decisions) {
    if (d.class === previous) continue;
    previous = d.class;
    lines.push(`${d.time.toFixed(2).padStart(8)} s  ${d.class ?? '-'}${d.emergency ? ' (emergency)' : ''}  ${d.confidence.toFixed(2)}`);
  }
  const total = c.decisions.length;
  const shares = Object.entries(c.summary).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k === 'null' ? 'none' : k} ${((100 * n) / total).toFixed(0)} %`);
  lines.push(`${c.file}: ${c.seconds.toFixed(2)} s, ${total} hops; ${shares.join(', ')}; mostly ${c.dominant ?? 'no class'}`);
  return lines.join('\n');
}

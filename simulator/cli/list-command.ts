// `anc-sim list`: the scenarios and the algorithms there are to choose from.
import { ALGORITHMS } from '../../firmware/loader.ts';
import { SCENARIOS } from '../scenarios/index.ts';

export function listText(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return [
    'Scenarios (default algorithm, seconds):',
    ...SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.algorithm.padEnd(6)} ${String(s.seconds).padStart(3)} s  ${s.description}`),
    '',
    `Algorithms: ${ALGORITHMS.join(', ')}`,
  ].join('\n');
}

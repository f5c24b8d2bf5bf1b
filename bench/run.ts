// `npm run bench [-- --json] [-- --quick]`: throughput of every adaptive algorithm in the scalar and
// SIMD firmware builds and in the float64 TypeScript reference, FxLMS also in C, and the module's
// footprint. Figures are best-of-N on this machine; compare ratios within one run, not across runs.
import { parseArgs } from 'node:util';
import { ALGORITHMS, type AlgorithmName } from '../firmware/loader.ts';
import { footprint } from './footprint.ts';
import { classifierCost } from './classifier-cost.ts';
import { measure, type Implementation } from './measure.ts';
import { measureNative, nativeUnavailable } from './native-fxlms.ts';
import { relativeRmsDifference, speed, type BenchResults, type Row } from './results.ts';
import { formatResults } from './table.ts';
import { BLOCK, SAMPLE_RATE, SEC_TAPS, workload } from './workload.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});

const LENGTHS = [64, 128, 256, 512];
const RLS_LENGTHS = [8, 16, 32];
const SAMPLES = values.quick ? 9600 : 48000;
const REPETITIONS = values.quick ? 2 : 7;
const IMPLEMENTATIONS: Implementation[] = ['scalar', 'simd', 'typescript'];

const notes: string[] = [];
const noC = nativeUnavailable();
if (noC) notes.push(noC);

const rows: Row[] = [];
for (const algorithm of ALGORITHMS as readonly AlgorithmName[]) {
  for (const taps of algorithm === 'rls' ? RLS_LENGTHS : LENGTHS) {
    const w = workload(algorithm, taps, SAMPLES);
    const m = Object.fromEntries(IMPLEMENTATIONS.map((impl) => [impl, measure(impl, w, REPETITIONS)]));
    const row: Row = {
      algorithm,
      taps,
      speed: {
        scalar: speed(m.scalar!.samplesPerSecond, SAMPLE_RATE),
        simd: speed(m.simd!.samplesPerSecond, SAMPLE_RATE),
        typescript: speed(m.typescript!.samplesPerSecond, SAMPLE_RATE),
      },
      differenceFromScalar: {
        simd: relativeRmsDifference(m.simd!.out, m.scalar!.out),
        typescript: relativeRmsDifference(m.typescript!.out, m.scalar!.out),
      },
      recoveries: m.scalar!.recoveries + m.simd!.recoveries,
    };
    if (algorithm === 'fxlms' && !noC) {
      row.native = {};
      // C replays the scalar run's inputs: a feedforward filter's adaptation does not depend on the loop
      for (const c of measureNative(w, m.scalar!.error, REPETITIONS)) {
        row.native[c.build] = speed(c.samplesPerSecond, SAMPLE_RATE);
        row.differenceFromScalar[c.build] = relativeRmsDifference(c.out, m.scalar!.out);
      }
    }
    if (row.recoveries > 0) notes.push(`${algorithm} at ${taps} taps: the stability guard recovered ${row.recoveries} times`);
    rows.push(row);
    if (!values.json) process.stderr.write('.');
  }
}
if (!values.json) process.stderr.write('\n');

const results: BenchResults = {
  sampleRate: SAMPLE_RATE,
  blockFrames: BLOCK,
  secondaryPathTaps: SEC_TAPS,
  samplesPerRun: SAMPLES,
  repetitions: REPETITIONS,
  rows,
  notes,
  footprint: footprint(),
  classifier: classifierCost(values.quick),
};
console.log(values.json ? JSON.stringify(results, null, 2) : formatResults(results));

// The benchmark's figures as text tables for a terminal.
import type { BenchResults, Speed } from './results.ts';

const M = (s: Speed | undefined) => (s ? `${(s.samplesPerSecond / 1e6).toFixed(2)}M ${s.realTimeFactor.toFixed(0)}x` : '-');
const ratio = (a: Speed | undefined, b: Speed | undefined) => (a && b ? `${(a.samplesPerSecond / b.samplesPerSecond).toFixed(2)}` : '-');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatResults(r: BenchResults): string {
  const out: string[] = [];
  out.push(
    `ANC engine throughput: samples/s (M) and real-time factor at ${r.sampleRate / 1000} kHz, best of ${r.repetitions} runs of ` +
      `${r.samplesPerRun} samples, blocks of ${r.blockFrames} frames, secondary-path model of ${r.secondaryPathTaps} taps.`,
  );
  out.push('RLS is limited to 32 taps by the firmware (O(n^2) per sample): benched at 8/16/32.\n');
  out.push(
    table(
      ['algorithm', 'taps', 'scalar wasm', 'SIMD wasm', 'TypeScript f64', 'SIMD/scalar', 'scalar/TS', 'recov.', 'SIMD diff', 'TS diff'],
      r.rows.map((row) => [
        row.algorithm,
        String(row.taps),
        M(row.speed.scalar),
        M(row.speed.simd),
        M(row.speed.typescript),
        ratio(row.speed.simd, row.speed.scalar),
        ratio(row.speed.scalar, row.speed.typescript),
        String(row.recoveries),
        row.differenceFromScalar.simd!.toExponential(1),
        row.differenceFromScalar.typescript!.toExponential(1),
      ]),
    ),
  );
  const native = r.rows.filter((row) => row.native);
  if (native.length > 0) {
    out.push('\nFxLMS against the same loop in C (bench/c/fxlms.c, float32, gcc -O2 vectorises it; no-vec: -fno-tree-vectorize), same inputs:\n');
    out.push(
      table(
        ['algorithm', 'taps', 'scalar wasm', 'C -O2', 'C -O2 no-vec', 'C -O3 native', 'scalar/C-O2', 'scalar/no-vec', 'SIMD/C-O2', 'C out diff'],
        native.map((row) => [
          row.algorithm,
          String(row.taps),
          M(row.speed.scalar),
          M(row.native!['gcc -O2']),
          M(row.native!['gcc -O2 -fno-tree-vectorize']),
          M(row.native!['gcc -O3 -march=native']),
          ratio(row.speed.scalar, row.native!['gcc -O2']),
          ratio(row.speed.scalar, row.native!['gcc -O2 -fno-tree-vectorize']),
          ratio(row.speed.simd, row.native!['gcc -O2']),
          (row.differenceFromScalar['gcc -O2'] ?? NaN).toExponential(1),
        ]),
      ),
    );
  }
  const t = r.rows.find((row) => row.algorithm === 'fxlms' && row.taps === 256);
  if (t) {
    const mps = (s: Speed | undefined) => (s ? (s.samplesPerSecond / 1e6).toFixed(1) : '-');
    out.push(
      `\nTargets, FxLMS at 256 taps: SIMD ${mps(t.speed.simd)}M (>= 12M), scalar ${mps(t.speed.scalar)}M (>= 6M), ` +
        `scalar/C-O2 ${ratio(t.speed.scalar, t.native?.['gcc -O2'])} (close to 1).`,
    );
  }
  for (const c of r.classifier) {
    out.push(
      `Classifier (${c.variant}, ${c.model}): ${(c.classifierMicros / 1000).toFixed(2)} ms per second of audio, ` +
        `${(100 * c.share).toFixed(1)} % of the ANC's ${(c.ancMicros / 1000).toFixed(2)} ms (FxLMS 256 taps; target <= 10 %).`,
    );
  }
  const f = r.footprint;
  out.push(
    `\nModule: firmware.wasm ${f.scalarWasmBytes} B, firmware-simd.wasm ${f.simdWasmBytes} B; linear memory ${f.memoryPages} pages ` +
      `(${f.memoryBytes / 1024} KiB, fixed); ANC buffers end at ${f.ancBytes} B (${f.ancBytes / 1024} KiB, ANC_END), ` +
      `then the classifier's front end and two 64 KiB model slots; static data ends by ${f.usedBytes} B (${f.usedBytes / 1024} KiB, STATIC_DATA_END).`,
  );
  out.push('diff: relative RMS difference of the anti-noise from the scalar wasm\'s, each in its own closed loop (C: on the scalar run\'s inputs).');
  out.push('recov.: stability-guard recoveries in the scalar and SIMD runs (0: every filter adapted without diverging).');
  for (const note of r.notes) out.push(`Note: ${note}`);
  return out.join('\n');
}

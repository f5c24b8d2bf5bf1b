// The C build of the FxLMS loop (bench/c/fxlms.c): compiled with the machine's gcc into a temporary
// directory and run on the same workload as the wasm builds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BLOCK, type Workload } from './workload.ts';

const SOURCE = fileURLToPath(new URL('./c/fxlms.c', import.meta.url));

export const C_BUILDS = {
  // gcc 12 vectorises at -O2: its SLP pass packs the kernels' four accumulators into one SSE register
  'gcc -O2': ['-O2'],
  // scalar code, what the scalar wasm build is for (MCUs without SIMD)
  'gcc -O2 -fno-tree-vectorize': ['-O2', '-fno-tree-vectorize'],
  'gcc -O3 -march=native': ['-O3', '-march=native'],
} as const;
export type CBuild = keyof typeof C_BUILDS;

export interface NativeResult {
  build: CBuild;
  samplesPerSecond: number;
  out: Float32Array;
}

/** Why C cannot be measured here, or undefined when gcc is present. */
export function nativeUnavailable(): string | undefined {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'gcc not found: C comparison skipped';
  }
}

/** Runs the C builds on the workload's reference and a recorded error stream. */
export function measureNative(w: Workload, error: Float32Array, repetitions: number): NativeResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'anc-bench-'));
  try {
    const input = join(dir, 'input.f32');
    const n = error.length;
    const data = new Float32Array(2 * n + w.secondaryPath.length);
    data.set(w.plant.reference.subarray(0, n), 0);
    data.set(error, n);
    data.set(w.secondaryPath, 2 * n);
    writeFileSync(input, data);
    return (Object.keys(C_BUILDS) as CBuild[]).map((build) => {
      const exe = join(dir, build.replace(/\W+/g, '_'));
      execFileSync('gcc', [...C_BUILDS[build], '-o', exe, SOURCE, '-lm']);
      const output = join(dir, 'out.f32');
      const args = [input, output, w.params.taps, w.secondaryPath.length, BLOCK, w.params.stepSize ?? 0.1, repetitions];
      const stdout = execFileSync(exe, args.map(String), { encoding: 'utf8' });
      const match = /samples_per_second=(\d+)/.exec(stdout);
      if (!match) throw new Error(`unexpected output of ${build} build: ${stdout}`);
      const bytes = readFileSync(output);
      const out = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
      return { build, samplesPerSecond: Number(match[1]), out };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

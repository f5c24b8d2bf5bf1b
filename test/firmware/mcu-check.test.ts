// The shipped modules pass the check of what a small native WAMR host can run
// (../shared/tools/wasm-mcu-check: imports, fixed memory, exported heap base, no mutable globals,
// no SIMD in the scalar build).
import t from 'tap';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { firmwarePath } from '../../firmware/loader.ts';

const tool = fileURLToPath(new URL('../../../shared/tools/wasm-mcu-check', import.meta.url));

function check(file: string, ...args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(tool, [file, ...args], { encoding: 'utf8' }) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

t.test('wasm-mcu-check', { skip: existsSync(tool) ? false : `no ${tool} (the shared tools are not beside this checkout)` }, async (t) => {
  const scalar = check(firmwarePath('scalar'), '--scalar');
  t.ok(scalar.ok, 'scalar module fits a small WAMR host', { output: scalar.output });
  t.match(scalar.output, /simd: no/);
  t.notMatch(scalar.output, /import:/, 'the module imports nothing');
  const simd = check(firmwarePath('simd'));
  t.ok(simd.ok, 'SIMD module fits a small WAMR host', { output: simd.output });
  t.match(simd.output, /simd: yes/);
  // and the check can fail: the SIMD build is not a scalar module
  t.notOk(check(firmwarePath('simd'), '--scalar').ok, 'the SIMD module is refused as a scalar one');
});

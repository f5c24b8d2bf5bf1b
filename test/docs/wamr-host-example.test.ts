// Keeps docs/firmware-abi.md honest: its tables must match the built modules and the firmware
// sources, and the C host example must compile against WAMR 2.x's declarations.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exportedFunctionSignatures } from './wasm-signatures.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const path = (p: string) => root + p;
const read = (p: string) => readFileSync(path(p), 'utf8');

const doc = read('docs/firmware-abi.md');
const MODULES = ['build/firmware.wasm', 'build/firmware-simd.wasm'];

/** Text of the `## title` section, up to the next `## ` heading. */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/firmware-abi.md has no "## ${title}" section`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** Body rows of every Markdown table in `text`, as trimmed cells (header and rule skipped). */
function rows(text: string): string[][] {
  const out: string[][] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l.startsWith('|')) {
      inTable = false;
      continue;
    }
    const cells = l
      .slice(1, l.endsWith('|') ? -1 : undefined)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    if (!inTable) {
      inTable = true; // header
      continue;
    }
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    out.push(cells);
  }
  return out;
}

const code = (cell: string) => /^`([^`]+)`$/.exec(cell)?.[1];
const num = (cell: string) => Number(cell.replace(/`/g, '').replace(/−/g, '-'));

/** `export const NAME: type = value;` lines of a source file. */
function constants(file: string, type: string): Map<string, string> {
  const m = new Map<string, string>();
  const re = new RegExp(`^export const (\\w+): ${type} = (.+?);`, 'gm');
  for (const [, name, value] of read(file).matchAll(re)) m.set(name!, value!.trim());
  return m;
}

function numeric(file: string, type: string, prefix: string, skip: string[] = []): Map<string, number> {
  const m = new Map<string, number>();
  for (const [name, value] of constants(file, type)) {
    if (!name.startsWith(prefix) || skip.includes(name)) continue;
    m.set(name, Number(value));
  }
  return m;
}

const missing = MODULES.filter((m) => !existsSync(path(m)));
const needModules = { skip: missing.length ? `not built: ${missing.join(', ')} (npm run build:wasm)` : false };
const gccProbe = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
const needGcc = { skip: gccProbe.error || gccProbe.status !== 0 ? 'gcc not found: the C example was not compiled' : false };

t.test('built modules exist', async (t) => {
  t.same(missing, [], 'run "npm run build:wasm" first');
});

t.test('every export and import is documented, and nothing else', needModules, async (t) => {
  const documentedExports = rows(section('Exports'))
    .map((r) => code(r[0]!))
    .filter((n): n is string => !!n);
  const documentedImports = rows(section('Imports'))
    .map((r) => code(r[0]!))
    .filter((n): n is string => !!n);
  const exportSets: string[][] = [];
  for (const file of MODULES) {
    const mod = new WebAssembly.Module(readFileSync(path(file)));
    const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
    const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
    exportSets.push([...exports].sort());
    t.same([...exports].sort(), [...documentedExports].sort(), `${file}: exports match the Exports table`);
    t.same([...imports].sort(), [...documentedImports].sort(), `${file}: imports match the Imports table`);
    if (imports.length === 0) t.match(section('Imports'), /imports nothing/, 'the doc says it imports nothing');
  }
  t.same(exportSets[0], exportSets[1], 'scalar and SIMD modules export the same names');
});

t.test('documented export values match a live instance', needModules, async (t) => {
  const table = new Map(rows(section('Exports')).map((r) => [code(r[0]!) ?? '', r]));
  const pages = Number(constants('firmware/assembly/memory-map.ts', 'i32').get('MEMORY_PAGES'));
  for (const file of MODULES) {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path(file))), {});
    const x = inst.exports as Record<string, unknown>;
    for (const g of ['__heap_base', '__data_end']) {
      const value = (x[g] as WebAssembly.Global).value as number;
      t.match(table.get(g)?.[2] ?? '', new RegExp(`\\b${value}\\b`), `${file}: ${g} = ${value} is documented`);
    }
    const memory = x.memory as WebAssembly.Memory;
    t.equal(memory.buffer.byteLength, pages * 65536, `${file}: memory is MEMORY_PAGES pages`);
    t.match(table.get('memory')?.[2] ?? '', new RegExp(`\\b${pages} pages\\b`), 'memory row states the pages');
    const version = (x.anc_abi_version as () => number)();
    t.match(table.get('anc_abi_version')?.[2] ?? '', new RegExp(`\\b${version}\\b`), 'ABI version value');
    const maxBlock = (x.anc_max_block as () => number)();
    t.match(table.get('anc_max_block')?.[2] ?? '', new RegExp(`\\b${maxBlock}\\b`), 'max block value');
    for (const [name, fn] of Object.entries(x)) {
      if (!/^anc_.*_ptr$/.test(name) || name === 'anc_weights_ptr') continue;
      const addr = (fn as () => number)();
      const hex = [...(table.get(name)?.[2] ?? '').matchAll(/0x([0-9A-Fa-f]+)/g)].map((m) => parseInt(m[1]!, 16));
      t.same(hex, [addr], `${file}: ${name}() = 0x${addr.toString(16)} as documented`);
    }
    const weights = x.anc_weights_ptr as (w: number) => number;
    const row = table.get('anc_weights_ptr')?.[2] ?? '';
    t.match(row, new RegExp(`0x0*${weights(1).toString(16)}\\b`, 'i'), 'anc_weights_ptr(1)');
    t.match(row, new RegExp(`0x0*${weights(0).toString(16)}\\b`, 'i'), 'anc_weights_ptr(0)');
  }
});

t.test('the memory map lists exactly the addresses of memory-map.ts', async (t) => {
  const src = constants('firmware/assembly/memory-map.ts', 'usize');
  const ints = constants('firmware/assembly/memory-map.ts', 'i32');
  const resolve = (v: string): number => {
    if (/^0x[0-9a-f]+$/i.test(v)) return parseInt(v, 16);
    if (src.has(v)) return resolve(src.get(v)!);
    const shift = /^<usize>(\w+) << (\d+)$/.exec(v);
    if (shift && ints.has(shift[1]!)) return Number(ints.get(shift[1]!)) << Number(shift[2]);
    throw new Error(`cannot evaluate memory-map.ts value "${v}"`);
  };
  const expected = new Map([...src].map(([name, v]) => [name, resolve(v)]));
  t.ok(expected.size >= 20, `parsed ${expected.size} addresses`);
  const documented = new Map<string, number>();
  for (const r of rows(section('Memory map'))) {
    const name = code(r[1] ?? '');
    const addr = /^`0x([0-9A-Fa-f]+)`$/.exec(r[0] ?? '');
    if (!name || !addr) continue;
    t.notOk(documented.has(name), `${name} listed once`);
    documented.set(name, parseInt(addr[1]!, 16));
  }
  t.same(Object.fromEntries(documented), Object.fromEntries(expected));
});

t.test('status offsets and flags match state.ts', async (t) => {
  const offsets = numeric('firmware/assembly/state.ts', 'usize', 'ST_');
  const table = new Map(rows(section('Status struct')).filter((r) => code(r[2] ?? '')).map((r) => [code(r[2]!)!, num(r[0]!)]));
  const expected = new Map([...offsets].map(([n, v]) => [n.slice(3).toLowerCase(), v]));
  t.same(Object.fromEntries(table), Object.fromEntries(expected), 'status table');
  const flags = numeric('firmware/assembly/state.ts', 'u32', 'FLAG_');
  const flagTable = new Map(
    rows(section('Status struct'))
      .filter((r) => code(r[0]!)?.startsWith('FLAG_'))
      .map((r) => [code(r[0]!)!, num(r[1]!)]),
  );
  t.same(Object.fromEntries(flagTable), Object.fromEntries(flags), 'flags table');
});

t.test('error codes, parameter ids and algorithm ids match the sources', async (t) => {
  const errors = numeric('firmware/assembly/errors.ts', 'i32', 'ANC_');
  const errTable = new Map(rows(section('Error codes')).map((r) => [code(r[1]!)!, num(r[0]!)]));
  t.same(Object.fromEntries(errTable), Object.fromEntries(errors), 'error codes');

  const params = numeric('firmware/assembly/params.ts', 'i32', 'PARAM_', ['PARAM_COUNT']);
  const paramTable = new Map(rows(section('Parameters')).map((r) => [code(r[1]!)!, num(r[0]!)]));
  const expectedParams = new Map([...params].map(([n, v]) => [n.slice(6).toLowerCase(), v]));
  t.same(Object.fromEntries(paramTable), Object.fromEntries(expectedParams), 'parameters');

  const algs = numeric('firmware/assembly/algorithms.ts', 'i32', 'ALG_', ['ALG_COUNT']);
  const algTable = new Map(rows(section('Algorithms')).map((r) => [code(r[1]!)!, num(r[0]!)]));
  const expectedAlgs = new Map([...algs].map(([n, v]) => [n.slice(4).toLowerCase(), v]));
  t.same(Object.fromEntries(algTable), Object.fromEntries(expectedAlgs), 'algorithms');
});

t.test('parameter ranges match the validation in anc/config.ts', async (t) => {
  const src = read('firmware/assembly/anc/config.ts');
  const table = new Map(rows(section('Parameters')).map((r) => [code(r[1]!)!, r[3]!]));
  let checked = 0;
  for (const [, name, lo, hi] of src.matchAll(/case (PARAM_\w+): \{\s*if \(!inRange\(v, ([^,]+), ([^)]+?)\)/g)) {
    if (Number.isNaN(Number(lo)) || Number.isNaN(Number(hi))) continue; // bounds from other constants
    const cell = (table.get(name!.slice(6).toLowerCase()) ?? '').split('..').map(num);
    t.same(cell, [Number(lo), Number(hi)], `${name} range ${lo}..${hi}`);
    checked++;
  }
  t.ok(checked >= 8, `checked ${checked} ranges`);
});

const example = read('docs/examples/wamr-host.c');

t.test("the C example's export table matches the modules' real exports and signatures", needModules, async (t) => {
  const table = [...example.matchAll(/^\s*\{ "(anc_\w+)", "([a-zA-Z]*)", "([a-zA-Z]*)" \},/gm)].map(([, name, params, result]) => ({ name: name!, params: params!, results: result! }));
  const names = table.map((e) => e.name);
  t.ok(table.length >= 13, `${table.length} exports in anc_exports`);
  for (const name of ['anc_model_ptr', 'anc_load_model']) t.ok(names.includes(name), `${name} (ABI 1.1) is in the table`);
  const called = [...example.matchAll(/anc_(?:lookup|buffer)\(h, "(\w+)"/g)].map((m) => m[1]!);
  t.same([...new Set(called)].sort(), [...names].sort(), 'the host looks up exactly the exports of its table');
  for (const file of MODULES) {
    const bytes = new Uint8Array(readFileSync(path(file)));
    const real = exportedFunctionSignatures(bytes);
    const functions = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).filter((e) => e.kind === 'function').map((e) => e.name);
    t.same([...real.keys()].sort(), functions.sort(), `${file}: a signature for each of its ${functions.length} exported functions`);
    for (const e of table) t.same(real.get(e.name), { params: e.params, results: e.results }, `${file}: ${e.name}(${e.params}) -> ${e.results}`);
  }
});

t.test("the C example's numbers match the firmware sources", async (t) => {
  const defines = new Map([...example.matchAll(/^#define (ANC_\w+) \(?(-?\d+)u?\)?/gm)].map(([, name, value]) => [name!, Number(value)]));
  const sources: [string, Map<string, number>][] = [
    ['ANC_ST_', new Map([...numeric('firmware/assembly/state.ts', 'usize', 'ST_')].map(([n, v]) => [`ANC_${n}`, v]))],
    ['ANC_FLAG_', new Map([...numeric('firmware/assembly/state.ts', 'u32', 'FLAG_')].map(([n, v]) => [`ANC_${n}`, v]))],
    ['ANC_PARAM_', new Map([...numeric('firmware/assembly/params.ts', 'i32', 'PARAM_', ['PARAM_COUNT'])].map(([n, v]) => [`ANC_${n}`, v]))],
    ['ANC_ERR_', numeric('firmware/assembly/errors.ts', 'i32', 'ANC_ERR_')],
  ];
  let checked = 0;
  for (const [prefix, expected] of sources) {
    for (const [name, value] of defines) {
      if (!name.startsWith(prefix)) continue;
      t.equal(value, expected.get(name), `${name} = ${value}`);
      checked++;
    }
  }
  for (const name of ['ANC_ST_NOISE_CLASS', 'ANC_ST_CONFIDENCE', 'ANC_ST_MODEL_VERSION', 'ANC_ST_EMERGENCY_STATE', 'ANC_ST_EMERGENCY_EVENTS', 'ANC_ST_MODEL_ERROR']) {
    t.ok(defines.has(name), `${name} (ABI 1.1/1.2) is read`);
  }
  t.equal(defines.get('ANC_MODEL_SLOT_BYTES'), Number(constants('firmware/assembly/memory-map.ts', 'i32').get('MODEL_SLOT_BYTES')), 'model slot size');
  t.ok(checked >= 14, `${checked} defines checked`);
});

t.test('the C example compiles against the WAMR 2.x declarations it uses', needGcc, async (t) => {
  const args = ['-fsyntax-only', '-std=c11', '-Wall', '-Wextra', '-Werror', '-Idocs/examples/stub', 'docs/examples/wamr-host.c'];
  let output = '';
  try {
    output = execFileSync('gcc', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    t.fail(`gcc ${args.join(' ')}\n${err.stderr ?? ''}${err.stdout ?? ''}`);
    return;
  }
  t.equal(output, '', 'no diagnostics');
  t.match(read('docs/examples/stub/wasm_export.h'), /stand-in/i, 'the stub says it is a stand-in');
  t.ok(doc.includes('wasm_runtime_call_wasm_a(h->env, fn, 1, result, nargs, args)'), 'the doc quotes the example');
  const loadModel = /^static int32_t anc_load_model\(.*?^\}$/ms.exec(section('C example'))?.[0];
  t.ok(loadModel && example.includes(loadModel), 'the doc quotes anc_load_model verbatim');
});

// WAMR shrinks a module's linear memory to __heap_base when it never grows: every fixed buffer
// must lie below it, and the static data must fit the room left for it.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { firmwarePath } from '../../firmware/loader.ts';

const map = readFileSync(fileURLToPath(new URL('../../firmware/assembly/memory-map.ts', import.meta.url)), 'utf8');
function constant(name: string): number {
  const m = new RegExp(`export const ${name}: usize = (0x[0-9a-f]+);`, 'i').exec(map);
  if (!m) throw new Error(`${name} not found in memory-map.ts`);
  return Number(m[1]);
}

for (const variant of ['scalar', 'simd'] as const) {
  t.test(`${variant}: __heap_base covers every buffer`, async (t) => {
    const mod = new WebAssembly.Module(readFileSync(firmwarePath(variant)));
    const { exports } = new WebAssembly.Instance(mod, {});
    const heapBase = (exports.__heap_base as WebAssembly.Global).value as number;
    const dataEnd = (exports.__data_end as WebAssembly.Global).value as number;
    t.ok(heapBase >= constant('ANC_END'), `__heap_base ${heapBase} >= ANC_END ${constant('ANC_END')}`);
    t.ok(heapBase >= constant('FE_END') && heapBase >= constant('MODEL_END'), `__heap_base ${heapBase} covers the classifier and both model slots`);
    t.ok(constant('FE_END') <= constant('MODEL_A') && constant('MODEL_A') + 0x10000 === constant('MODEL_B') && constant('MODEL_B') + 0x10000 === constant('MODEL_END'), 'two 64 KiB slots after the front end');
    t.ok(dataEnd > constant('STATIC_DATA'), 'static data sits after the fixed buffers');
    t.ok(dataEnd <= constant('STATIC_DATA_END'), `static data ends at ${dataEnd}, within STATIC_DATA_END`);
    t.equal(constant('STATIC_DATA'), constant('MODEL_END'), 'static data follows the last fixed buffer directly');
  });
}

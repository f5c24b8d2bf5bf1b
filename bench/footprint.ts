// How much the firmware takes: module sizes, linear memory the module declares, and the part of it
// the ANC engine uses according to its fixed memory map.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { firmwarePath, loadFirmware } from '../firmware/loader.ts';

const MEMORY_MAP = fileURLToPath(new URL('../firmware/assembly/memory-map.ts', import.meta.url));

export interface Footprint {
  scalarWasmBytes: number;
  simdWasmBytes: number;
  memoryPages: number;
  memoryBytes: number;
  /** ANC_END of firmware/assembly/memory-map.ts: the bytes below it belong to the ANC engine's buffers */
  ancBytes: number;
  /** STATIC_DATA_END: the buffers and the compiler's static data, all the module uses today */
  usedBytes: number;
}

/** Reads `export const NAME: usize = 0x...;` from the memory map (a layout table, not code we run). */
function address(map: string, name: string): number {
  const match = new RegExp(`export const ${name}\\s*:\\s*usize\\s*=\\s*(0x[0-9a-f]+|\\d+)\\s*;`, 'i').exec(map);
  if (!match) throw new Error(`${name} not found in ${MEMORY_MAP}`);
  return Number(match[1]);
}

export function footprint(): Footprint {
  const memoryBytes = loadFirmware({ variant: 'scalar' }).memoryBytes;
  const map = readFileSync(MEMORY_MAP, 'utf8');
  return {
    scalarWasmBytes: statSync(firmwarePath('scalar')).size,
    simdWasmBytes: statSync(firmwarePath('simd')).size,
    memoryPages: memoryBytes / 65536,
    memoryBytes,
    ancBytes: address(map, 'ANC_END'),
    usedBytes: address(map, 'STATIC_DATA_END'),
  };
}

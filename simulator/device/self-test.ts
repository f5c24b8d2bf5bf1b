// The test boot: instantiate the slot's firmware module and run it for a few blocks. Anything that
// throws, or output that is not finite, fails the trial. `failSelfTest` lets a test make a good
// module fail, to exercise the automatic rollback.
import { writeFileSync } from 'node:fs';
import { loadFirmware, type Firmware } from '../../firmware/loader.ts';

export interface SelfTestResult {
  ok: boolean;
  detail: string;
  firmware?: Firmware;
}

export function runSelfTest(wasmPath: string, wasm: Uint8Array, options: { fail?: boolean; sampleRate?: number } = {}): SelfTestResult {
  if (options.fail) return { ok: false, detail: 'self-test forced to fail (test switch)' };
  try {
    writeFileSync(wasmPath, wasm);
    const fw = loadFirmware({ path: wasmPath });
    fw.init(options.sampleRate ?? 48000);
    const block = Math.min(32, fw.maxBlock);
    for (let b = 0; b < 8; b++) {
      for (let i = 0; i < block; i++) {
        fw.ref[i] = Math.sin((b * block + i) * 0.05) * 0.1;
        fw.err[i] = Math.cos((b * block + i) * 0.05) * 0.1;
      }
      fw.processFrames(block);
      for (let i = 0; i < block; i++) if (!Number.isFinite(fw.out[i])) return { ok: false, detail: `output sample ${i} of block ${b} is not finite` };
    }
    return { ok: true, detail: `ran ${8 * block} frames`, firmware: fw };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

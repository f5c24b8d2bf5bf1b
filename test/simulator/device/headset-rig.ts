// Shared rig for device tests: keys, small bundles around the real firmware module, and a
// virtual headset on an in-memory pair with a connected client.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firmwarePath } from '../../../firmware/loader.ts';
import { packBundle, type PackInput } from '../../../host/bundle/pack-bundle.ts';
import { signBundle } from '../../../host/bundle/sign-bundle.ts';
import { connect, type Connection } from '../../../host/client/connect.ts';
import { createMemoryPair, type MemoryPair, type MemoryPairOptions } from '../../../host/transport/memory-pair.ts';
import { VirtualHeadset, type VirtualHeadsetOptions } from '../../../simulator/device/virtual-headset.ts';

export const keys = generateKeyPairSync('ed25519');
export const otherKeys = generateKeyPairSync('ed25519');
export const firmware = new Uint8Array(readFileSync(firmwarePath('scalar')));

export function bundle(over: Partial<PackInput> = {}, key: KeyObject = keys.privateKey): Uint8Array {
  return signBundle(
    packBundle({
      version: '1.0.0',
      hardware: ['hp-1'],
      counter: 1,
      created: new Date('2025-01-01T00:00:00Z'),
      segmentSize: 1024,
      artifacts: [
        { name: 'firmware.wasm', type: 'firmware-wasm', bytes: firmware },
        { name: 'defaults.json', type: 'config-json', bytes: new TextEncoder().encode('{"stepSize":0.01}') },
      ],
      ...over,
    }),
    key,
  );
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'anc-device-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Rig {
  pair: MemoryPair;
  headset: VirtualHeadset;
  conn: Connection;
  close(): Promise<void>;
}

/** A headset on `flashFile` (reuse the file to reset the same device) and a connected client. */
export async function rig(flashFile: string, o: { headset?: Partial<VirtualHeadsetOptions>; pair?: MemoryPairOptions; timeoutMs?: number; retries?: number } = {}): Promise<Rig> {
  const pair = createMemoryPair(o.pair);
  const headset = new VirtualHeadset({ transport: pair.b, flashFile, trustedKeys: [keys.publicKey], ...o.headset });
  // A dead device is a silent one; pulling the cable at once keeps tests from waiting out timeouts.
  headset.onPowerLoss(() => pair.disconnect());
  const conn = await connect(pair.a, { timeoutMs: o.timeoutMs ?? 300, retries: o.retries ?? 3 });
  return {
    pair,
    headset,
    conn,
    close: async () => {
      pair.disconnect();
      await headset.shutdown();
    },
  };
}

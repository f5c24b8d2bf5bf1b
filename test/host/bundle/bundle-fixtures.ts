// Shared fixtures: a small firmware module, keys and packed bundles.
import { generateKeyPairSync } from 'node:crypto';
import { packBundle, type PackInput } from '../../../host/bundle/pack-bundle.ts';
import { seededRandom } from '../seeded-random.ts';

export const keys = generateKeyPairSync('ed25519');
export const otherKeys = generateKeyPairSync('ed25519');

export const firmware = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...seededRandom(42).bytes(3000)]);
export const model = seededRandom(43).bytes(777);
export const config = new TextEncoder().encode('{"stepSize":0.01}');

export const baseInput: PackInput = {
  version: '1.2.3',
  hardware: ['hp-1', 'hp-2'],
  counter: 5,
  created: new Date('2025-01-02T03:04:05Z'),
  segmentSize: 1024,
  artifacts: [
    { name: 'firmware.wasm', type: 'firmware-wasm', bytes: firmware },
    { name: 'classifier.ancm', type: 'model-blob', bytes: model },
    { name: 'defaults.json', type: 'config-json', bytes: config },
  ],
};

export function packed(over: Partial<PackInput> = {}): Uint8Array {
  return packBundle({ ...baseInput, ...over });
}

// Signed bundles, key files and an artifact store in a temporary directory, for the artifact and
// chunk-serving tests. Bundles are built with the real host/bundle pack and sign.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeys, loadPrivateKey, packBundle, signBundle, type PackInput, type SigningKeyPair } from '../../../host/bundle/index.ts';
import { loadTrustedKeys, type TrustedKey } from '../../../fleet/artifacts/trusted-keys.ts';
import { seededRandom } from '../../host/seeded-random.ts';

export interface KeyFiles extends SigningKeyPair {
  publicKeyPath: string;
}

/** A scratch directory removed by `cleanup`. */
export function scratchDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeKeys(dir: string, name: string): KeyFiles {
  const keys = generateSigningKeys();
  const publicKeyPath = join(dir, `${name}.pub`);
  writeFileSync(publicKeyPath, keys.publicKeyPem);
  return { ...keys, publicKeyPath };
}

export async function trustedKeysOf(...keys: KeyFiles[]): Promise<TrustedKey[]> {
  return loadTrustedKeys({ files: keys.map((k) => k.publicKeyPath) });
}

/** A model bundle of about `modelBytes` bytes (seeded, so the same arguments give the same bytes). */
export function unsignedBundle(options: { version?: string; modelBytes?: number; seed?: number; over?: Partial<PackInput> } = {}): Uint8Array {
  return packBundle({
    version: options.version ?? '1.4.0',
    hardware: ['hp-1', 'hp-2'],
    counter: 3,
    created: new Date('2026-11-01T00:00:00Z'),
    segmentSize: 4096,
    artifacts: [{ name: 'classifier.ancm', type: 'model-blob', bytes: seededRandom(options.seed ?? 7).bytes(options.modelBytes ?? 20_000) }],
    ...options.over,
  });
}

export function signedBundle(keys: SigningKeyPair, options: Parameters<typeof unsignedBundle>[0] = {}): Buffer<ArrayBuffer> {
  return Buffer.from(signBundle(unsignedBundle(options), loadPrivateKey(keys.privateKeyPem)));
}

// `anc pack`: artifacts from files -> a bundle file, signed if a key is given.
import { basename } from 'node:path';
import { BundleError } from '../bundle/bundle-error.ts';
import { packBundle, type ArtifactInput } from '../bundle/pack-bundle.ts';
import { signBundle } from '../bundle/sign-bundle.ts';
import { sha256Hex } from '../bundle/segment-hashes.ts';
import { loadPrivateKey, keyIdOf, toHex } from '../bundle/signing-keys.ts';
import { createPublicKey } from 'node:crypto';
import { KEY_FILE_LIMIT, readLimited, writeAtomic } from './bundle-files.ts';
import { kindFor } from '../bundle/manifest-rules.ts';

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export interface PackCommandInput {
  firmware?: string;
  models?: string[];
  config?: string;
  version: string;
  hardware: string[];
  counter: number;
  keyPath?: string;
  out: string;
  segmentSize?: number;
  /** Default now; SOURCE_DATE_EPOCH is honoured by main.ts for reproducible builds. */
  created?: Date;
}

export interface PackResult {
  out: string;
  size: number;
  sha256: string;
  kind: string;
  version: string;
  counter: number;
  artifacts: number;
  signed: boolean;
  keyId: string | null;
}

export function runPack(input: PackCommandInput): PackResult {
  const artifacts: ArtifactInput[] = [];
  if (input.firmware) {
    const bytes = readLimited(input.firmware, 'firmware');
    if (!WASM_MAGIC.every((b, i) => bytes[i] === b)) {
      throw new BundleError('invalid-input', `${input.firmware} is not a WebAssembly module (no \\0asm magic): pass build/firmware.wasm from \`npm run build\``);
    }
    artifacts.push({ name: basename(input.firmware), type: 'firmware-wasm', bytes });
  }
  for (const m of input.models ?? []) artifacts.push({ name: basename(m), type: 'model-blob', bytes: readLimited(m, 'model') });
  if (input.config) {
    const bytes = readLimited(input.config, 'config');
    try {
      JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      throw new BundleError('invalid-input', `${input.config} is not valid UTF-8 JSON: fix the configuration file`);
    }
    artifacts.push({ name: basename(input.config), type: 'config-json', bytes });
  }
  // Load the key before packing: a bad key path should fail before any work is done.
  const key = input.keyPath ? loadPrivateKey(Buffer.from(readLimited(input.keyPath, 'key', KEY_FILE_LIMIT)), input.keyPath) : undefined;
  let bundle = packBundle({
    version: input.version,
    hardware: input.hardware,
    counter: input.counter,
    created: input.created,
    segmentSize: input.segmentSize,
    artifacts,
  });
  if (key) bundle = signBundle(bundle, key);
  writeAtomic(input.out, bundle);
  return {
    out: input.out,
    size: bundle.length,
    sha256: sha256Hex(bundle),
    kind: kindFor(artifacts.map((a) => a.type)),
    version: input.version,
    counter: input.counter,
    artifacts: artifacts.length,
    signed: key !== undefined,
    keyId: key ? toHex(keyIdOf(createPublicKey(key))) : null,
  };
}

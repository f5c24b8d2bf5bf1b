// Decides whether a parsed bundle may be installed: trusted signer, valid signature, this
// hardware, no downgrade, hashes intact. Each refusal has its own code so the CLI, the device
// and the fleet can say exactly why.
import { verify, type KeyObject } from 'node:crypto';
import { BundleError } from './bundle-error.ts';
import { manifestSchemaError, type Manifest } from './manifest-schema.ts';
import { checkArtifactHashes, type ParsedBundle } from './parse-bundle.ts';
import { keyIdOf, toHex } from './signing-keys.ts';

export interface VerifyOptions {
  /** The device's hardware revision; must be in the manifest's list. */
  hardwareRevision?: string;
  /** The device's anti-rollback counter; the bundle's must be at least this (equal re-installs). */
  minCounter?: number;
}

export interface Verified {
  keyId: string;
}

export function verifyBundle(parsed: ParsedBundle, trustedPublicKeys: readonly KeyObject[], options: VerifyOptions = {}): Verified {
  const { signature } = parsed;
  if (!signature) throw new BundleError('unsigned', 'bundle is not signed: sign it with `anc sign <bundle> --key anc-signing.key`');
  const keyId = toHex(signature.keyId);
  const key = trustedPublicKeys.find((k) => toHex(keyIdOf(k)) === keyId);
  if (!key) throw new BundleError('unknown-key', `bundle is signed by key ${keyId}, which is not trusted: pass the matching public key`);
  if (!verify(null, parsed.manifestBytes, key, signature.signature)) {
    throw new BundleError('bad-signature', `signature by key ${keyId} does not verify: the bundle was modified after signing, get a fresh copy`);
  }
  // From here on, use only what the signature covers: re-read the manifest from the signed bytes
  // rather than trusting `parsed.manifest`, which the caller could have built or modified.
  const signed = signedManifest(parsed.manifestBytes);
  const hw = options.hardwareRevision;
  if (hw !== undefined && !signed.hardware.includes(hw)) {
    throw new BundleError('wrong-hardware', `bundle is for hardware ${signed.hardware.join(', ')}, not ${hw}: use the bundle built for ${hw}`);
  }
  if (options.minCounter !== undefined && signed.counter < options.minCounter) {
    throw new BundleError('downgrade', `bundle counter ${signed.counter} is below the device's ${options.minCounter} (anti-rollback): use a newer bundle`);
  }
  if (parsed.artifacts.length !== signed.artifacts.length) {
    throw new BundleError('hash-mismatch', 'artifacts do not match the signed manifest: parse the bundle again from its file');
  }
  signed.artifacts.forEach((entry, i) => checkArtifactHashes(entry, parsed.artifacts[i].bytes));
  return { keyId };
}

function signedManifest(bytes: Uint8Array): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    value = undefined;
  }
  if (manifestSchemaError(value) !== undefined) throw new BundleError('invalid-manifest', 'signed manifest is not a valid manifest: rebuild the bundle');
  return value as Manifest;
}

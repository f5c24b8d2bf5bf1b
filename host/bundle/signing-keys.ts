// Ed25519 signing keys as PEM (PKCS#8 private, SPKI public), and the key id that names a key
// inside a bundle: the first 8 bytes of SHA-256 over the raw 32-byte public key.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { BundleError } from './bundle-error.ts';
import { KEY_ID_LENGTH } from './bundle-layout.ts';

export interface SigningKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  keyId: string;
}

export function generateSigningKeys(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: toHex(keyIdOf(publicKey)),
  };
}

/** The raw 32-byte Ed25519 public key (what a device stores in its trust list). */
export function rawPublicKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
}

export function keyIdOf(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(createHash('sha256').update(rawPublicKey(publicKey)).digest().subarray(0, KEY_ID_LENGTH));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** A private key from PEM text; refuses anything but Ed25519. */
export function loadPrivateKey(pem: string | Buffer, source = 'key'): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new BundleError('invalid-key', `${source} is not a PEM private key: pass the anc-signing.key written by \`anc keygen\``);
  }
  return requireEd25519(key, source);
}

/** A public key from PEM text; a private key PEM is accepted too (its public half is used). */
export function loadPublicKey(pem: string | Buffer, source = 'key'): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new BundleError('invalid-key', `${source} is not a PEM public key: pass the anc-signing.pub written by \`anc keygen\``);
  }
  return requireEd25519(key, source);
}

function requireEd25519(key: KeyObject, source: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new BundleError('invalid-key', `${source} is a ${key.asymmetricKeyType ?? 'unknown'} key, bundles are signed with Ed25519: make one with \`anc keygen\``);
  }
  return key;
}

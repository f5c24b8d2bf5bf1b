// Signs a packed bundle in place of its signature block: Ed25519 over the exact manifest bytes.
// The manifest holds every artifact and segment hash, so it binds the whole bundle.
import { sign, type KeyObject, createPublicKey } from 'node:crypto';
import { BundleError } from './bundle-error.ts';
import { FLAG_SIGNED, KEY_ID_LENGTH, readHeader, sectionsOf } from './bundle-layout.ts';
import { parseBundle } from './parse-bundle.ts';
import { keyIdOf } from './signing-keys.ts';

/** Returns a signed copy. Re-signing a signed bundle replaces its signature. */
export function signBundle(bundle: Uint8Array, privateKey: KeyObject): Uint8Array {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new BundleError('invalid-key', 'signing needs an Ed25519 private key: use the anc-signing.key from `anc keygen`');
  }
  const parsed = parseBundle(bundle); // never sign something that does not check out
  const signature = sign(null, parsed.manifestBytes, privateKey);
  const out = bundle.slice();
  const header = readHeader(out);
  const s = sectionsOf(header);
  out.set(keyIdOf(createPublicKey(privateKey)), s.signature);
  out.set(signature, s.signature + KEY_ID_LENGTH);
  new DataView(out.buffer, out.byteOffset).setUint32(8, header.flags | FLAG_SIGNED, true);
  return out;
}

// Reads a bundle and checks everything that needs no key: structure, lengths against the real
// file size, manifest schema and rules, artifact and per-segment hashes. Never trusts a length
// before checking it against the bytes actually present.
import { BundleError } from './bundle-error.ts';
import { allZero, FLAG_SIGNED, KEY_ID_LENGTH, MAX_BUNDLE_LENGTH, pad8, readHeader, sectionsOf, SIGNATURE_BLOCK_LENGTH } from './bundle-layout.ts';
import { checkManifestRules } from './manifest-rules.ts';
import { manifestSchemaError, type ArtifactEntry, type Manifest } from './manifest-schema.ts';
import { segmentHashes, sha256Hex } from './segment-hashes.ts';

export interface BundleSignature {
  keyId: Uint8Array;
  signature: Uint8Array;
}

export interface ParsedArtifact {
  entry: ArtifactEntry;
  /** A view into the bundle's bytes (not a copy). */
  bytes: Uint8Array;
}

export interface ParsedBundle {
  manifest: Manifest;
  /** The exact signed bytes. */
  manifestBytes: Uint8Array;
  signature: BundleSignature | null;
  artifacts: ParsedArtifact[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseBundle(bytes: Uint8Array): ParsedBundle {
  if (bytes.length > MAX_BUNDLE_LENGTH) throw new BundleError('too-large', `file is ${bytes.length} bytes, bundles are at most ${MAX_BUNDLE_LENGTH}`);
  const header = readHeader(bytes); // checks every length against bytes.length
  const s = sectionsOf(header);

  const manifestBytes = bytes.subarray(s.manifest, s.manifest + header.manifestLength);
  if (!allZero(bytes.subarray(s.manifest + header.manifestLength, s.manifest + pad8(header.manifestLength)))) {
    throw new BundleError('malformed', 'padding after the manifest is not zero');
  }
  const manifest = readManifest(manifestBytes);
  checkManifestRules(manifest, header.artifactsLength);

  const block = bytes.subarray(s.signature, s.signature + SIGNATURE_BLOCK_LENGTH);
  let signature: BundleSignature | null = null;
  if (header.flags & FLAG_SIGNED) {
    signature = { keyId: block.slice(0, KEY_ID_LENGTH), signature: block.slice(KEY_ID_LENGTH) };
  } else if (!allZero(block)) {
    throw new BundleError('malformed', 'unsigned bundle has a non-zero signature block');
  }

  const area = bytes.subarray(s.artifacts, s.end);
  const artifacts = manifest.artifacts.map((entry) => {
    // checkManifestRules proved offsets are in order and end inside the area.
    const data = area.subarray(entry.offset, entry.offset + entry.size);
    if (!allZero(area.subarray(entry.offset + entry.size, pad8(entry.offset + entry.size)))) {
      throw new BundleError('malformed', `padding after artifact '${entry.name}' is not zero`);
    }
    checkArtifactHashes(entry, data);
    return { entry, bytes: data };
  });
  return { manifest, manifestBytes, signature, artifacts };
}

function readManifest(manifestBytes: Uint8Array): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(manifestBytes));
  } catch {
    throw new BundleError('invalid-manifest', 'manifest is not valid UTF-8 JSON: the bundle is corrupt, rebuild it with `anc pack`');
  }
  const error = manifestSchemaError(value);
  if (error) throw new BundleError('invalid-manifest', `manifest ${error}: rebuild the bundle with \`anc pack\``);
  return value as Manifest;
}

/** Whole-artifact and per-segment SHA-256; names the first bad segment so a corrupt copy can be located. */
export function checkArtifactHashes(entry: ArtifactEntry, data: Uint8Array): void {
  if (data.length !== entry.size) {
    throw new BundleError('truncated', `artifact '${entry.name}' has ${data.length} bytes, the manifest says ${entry.size}`);
  }
  const actual = segmentHashes(data, entry.segmentSize);
  const bad = actual.findIndex((h, i) => h !== entry.segments[i]);
  if (bad >= 0) {
    throw new BundleError('hash-mismatch', `artifact '${entry.name}' segment ${bad} does not match its SHA-256: the bundle is corrupt or was tampered with, get a fresh copy`);
  }
  if (sha256Hex(data) !== entry.sha256) {
    throw new BundleError('hash-mismatch', `artifact '${entry.name}' does not match its SHA-256: the bundle is corrupt or was tampered with, get a fresh copy`);
  }
}

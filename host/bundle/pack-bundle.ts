// Builds an unsigned bundle from artifacts. Signing is a separate step (sign-bundle.ts) so a
// build machine can pack and an offline signing station can sign the very same bytes.
import { BundleError } from './bundle-error.ts';
import { DEFAULT_SEGMENT_SIZE, FORMAT_VERSION, MAX_BUNDLE_LENGTH, MAX_MANIFEST_LENGTH, pad8, sectionsOf, writeHeader } from './bundle-layout.ts';
import { checkManifestRules, kindFor } from './manifest-rules.ts';
import { manifestSchemaError, type ArtifactEntry, type ArtifactTypeName, type BundleKindName, type Manifest } from './manifest-schema.ts';
import { segmentHashes, sha256Hex } from './segment-hashes.ts';

export interface ArtifactInput {
  name: string;
  type: ArtifactTypeName;
  bytes: Uint8Array;
}

export interface PackInput {
  /** Default: derived from the artifact types (one type names it, a mix is 'combined'). */
  kind?: BundleKindName;
  version: string;
  hardware: string[];
  counter: number;
  /** Default: now. Pass a fixed time for reproducible builds. */
  created?: Date;
  artifacts: ArtifactInput[];
  /** Default 8192 (DEFAULT_SEGMENT_SIZE). */
  segmentSize?: number;
}

export function packBundle(input: PackInput): Uint8Array {
  if (input.artifacts.length === 0) throw new BundleError('invalid-input', 'a bundle needs at least one artifact: pass --firmware, --model or --config');
  const segmentSize = input.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  const created = input.created ?? new Date();
  if (Number.isNaN(created.getTime())) throw new BundleError('invalid-input', 'created is not a valid date');

  let offset = 0;
  const entries: ArtifactEntry[] = input.artifacts.map((a) => {
    const entry: ArtifactEntry = {
      name: a.name,
      type: a.type,
      offset,
      size: a.bytes.length,
      sha256: sha256Hex(a.bytes),
      segmentSize,
      segments: Number.isInteger(segmentSize) && segmentSize > 0 ? segmentHashes(a.bytes, segmentSize) : [],
    };
    offset = pad8(offset + a.bytes.length);
    return entry;
  });
  const artifactsLength = offset;

  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION,
    kind: input.kind ?? kindFor(input.artifacts.map((a) => a.type)),
    version: input.version,
    hardware: input.hardware,
    counter: input.counter,
    created: created.toISOString(),
    artifacts: entries,
  };
  const schemaError = manifestSchemaError(manifest);
  if (schemaError) throw new BundleError('invalid-input', `cannot pack: ${describe(schemaError)}`);
  try {
    checkManifestRules(manifest, artifactsLength);
  } catch (e) {
    if (e instanceof BundleError) throw new BundleError('invalid-input', `cannot pack: ${e.message}`);
    throw e;
  }

  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  if (manifestBytes.length > MAX_MANIFEST_LENGTH) {
    throw new BundleError('too-large', `manifest is ${manifestBytes.length} bytes (limit ${MAX_MANIFEST_LENGTH}): use a larger segment size`);
  }
  const header = { formatVersion: FORMAT_VERSION, flags: 0, manifestLength: manifestBytes.length, artifactsLength };
  const sections = sectionsOf(header);
  if (sections.end > MAX_BUNDLE_LENGTH) throw new BundleError('too-large', `bundle would be ${sections.end} bytes, the limit is ${MAX_BUNDLE_LENGTH}`);

  const out = new Uint8Array(sections.end); // zero-filled: padding and the unsigned signature block
  writeHeader(out, header);
  out.set(manifestBytes, sections.manifest);
  input.artifacts.forEach((a, i) => out.set(a.bytes, sections.artifacts + entries[i].offset));
  return out;
}

/** Turns a schema path into the option a person would fix. */
function describe(schemaError: string): string {
  const hints: Array<[RegExp, string]> = [
    [/^\/version/, 'version must be semver, e.g. 1.2.3'],
    [/^\/hardware/, 'hardware must be 1..64 distinct ids of letters, digits, ".", "_" or "-"'],
    [/^\/counter/, 'counter must be an integer 0..4294967295'],
    [/^\/artifacts\/\d+\/name/, 'artifact names are 1..64 letters, digits, ".", "_" or "-"'],
    [/^\/artifacts\/\d+\/segmentSize/, 'segment size must be an integer 256..1048576'],
  ];
  const hint = hints.find(([re]) => re.test(schemaError));
  const path = schemaError.slice(0, schemaError.indexOf(':'));
  return hint ? `${hint[1]} (at ${path})` : schemaError;
}

// The manifest: the signed description of a bundle. The JSON bytes in the file are what is
// signed, so this schema only validates; it never re-serialises a manifest read from a file.
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { MAX_ARTIFACTS, MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE } from './bundle-layout.ts';

// semver.org's recommended pattern (2.0.0), anchored.
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';
const SHA256_HEX = '^[0-9a-f]{64}$';
// UTC only, so two tools never disagree about when a bundle was made.
const UTC_TIMESTAMP = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$';
export const ARTIFACT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const HARDWARE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$';

export const BundleKind = Type.Union([Type.Literal('firmware'), Type.Literal('model'), Type.Literal('config'), Type.Literal('combined')]);
export const ArtifactType = Type.Union([Type.Literal('firmware-wasm'), Type.Literal('model-blob'), Type.Literal('config-json')]);

export const ArtifactEntry = Type.Object(
  {
    name: Type.String({ pattern: ARTIFACT_NAME_PATTERN }),
    type: ArtifactType,
    /** Byte offset inside the artifact area (multiple of 8). */
    offset: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    size: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    sha256: Type.String({ pattern: SHA256_HEX }),
    segmentSize: Type.Integer({ minimum: MIN_SEGMENT_SIZE, maximum: MAX_SEGMENT_SIZE }),
    /** SHA-256 of each segmentSize slice; the last may be short. */
    segments: Type.Array(Type.String({ pattern: SHA256_HEX })),
  },
  { additionalProperties: false },
);

export const Manifest = Type.Object(
  {
    /** Repeats the header's format version inside the signed bytes. */
    formatVersion: Type.Literal(1),
    kind: BundleKind,
    version: Type.String({ pattern: SEMVER_PATTERN, maxLength: 128 }),
    hardware: Type.Array(Type.String({ pattern: HARDWARE_PATTERN }), { minItems: 1, maxItems: 64, uniqueItems: true }),
    /** Anti-rollback counter: a device refuses a bundle whose counter is below its own. */
    counter: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    created: Type.String({ pattern: UTC_TIMESTAMP }),
    artifacts: Type.Array(ArtifactEntry, { minItems: 1, maxItems: MAX_ARTIFACTS }),
  },
  { additionalProperties: false },
);

export type BundleKindName = Static<typeof BundleKind>;
export type ArtifactTypeName = Static<typeof ArtifactType>;
export type ArtifactEntry = Static<typeof ArtifactEntry>;
export type Manifest = Static<typeof Manifest>;

const checker = TypeCompiler.Compile(Manifest);

/** The first schema violation as "path: message", or undefined if the value is a Manifest. */
export function manifestSchemaError(value: unknown): string | undefined {
  if (checker.Check(value)) return undefined;
  const first = checker.Errors(value).First();
  return first ? `${first.path || '/'}: ${first.message}` : 'does not match the manifest schema';
}

// The bundle API used by the CLI, the flasher (part B) and the fleet.
export { BundleError, type BundleErrorCode } from './bundle-error.ts';
export { DEFAULT_SEGMENT_SIZE, FORMAT_VERSION, MAX_BUNDLE_LENGTH } from './bundle-layout.ts';
export { Manifest, ArtifactEntry, type ArtifactTypeName, type BundleKindName, manifestSchemaError } from './manifest-schema.ts';
export { packBundle, type ArtifactInput, type PackInput } from './pack-bundle.ts';
export { signBundle } from './sign-bundle.ts';
export { parseBundle, checkArtifactHashes, type ParsedBundle, type ParsedArtifact, type BundleSignature } from './parse-bundle.ts';
export { verifyBundle, type VerifyOptions, type Verified } from './verify-bundle.ts';
export { generateSigningKeys, loadPrivateKey, loadPublicKey, keyIdOf, rawPublicKey, toHex, type SigningKeyPair } from './signing-keys.ts';

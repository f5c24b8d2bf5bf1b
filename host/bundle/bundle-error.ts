// The one error type of the bundle code. `code` is stable (tests, the CLI's exit codes, the
// device's error replies map onto it); `message` says what is wrong and what to do.

export type BundleErrorCode =
  | 'truncated' // the file is shorter than its header says: re-download or re-copy it
  | 'bad-magic' // not an anc bundle at all
  | 'unsupported-version' // a bundle format this tool does not read
  | 'malformed' // structure inconsistent (lengths, padding, trailing bytes)
  | 'too-large' // over a size limit
  | 'invalid-manifest' // manifest JSON fails the schema or the rules
  | 'hash-mismatch' // an artifact or segment does not match its manifest hash
  | 'unsigned' // no signature where one is required
  | 'unknown-key' // signed by a key not in the trusted set
  | 'bad-signature' // signature does not verify over the manifest
  | 'wrong-hardware' // the device's hardware revision is not listed
  | 'downgrade' // anti-rollback counter lower than the device's
  | 'invalid-key' // a key file that is not an Ed25519 PEM key
  | 'invalid-input'; // bad arguments to pack (name, version, sizes...)

export class BundleError extends Error {
  readonly code: BundleErrorCode;
  constructor(code: BundleErrorCode, message: string) {
    super(message);
    this.name = 'BundleError';
    this.code = code;
  }
}

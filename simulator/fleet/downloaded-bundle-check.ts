// The `verifying` step of an over-the-air job: the downloaded bytes are the file the job named
// (SHA-256), a well-formed bundle (host/bundle parseBundle), signed by a key this headset trusts,
// for its hardware revision, not below its anti-rollback counter (verifyBundle, which re-checks
// every artifact hash against the signed manifest), and the kind and version the job announced.
import { createHash, type KeyObject } from 'node:crypto';
import type { JobDocument } from '../../fleet/ota/ota-messages.ts';
import { BundleError } from '../../host/bundle/bundle-error.ts';
import { parseBundle, type ParsedBundle } from '../../host/bundle/parse-bundle.ts';
import { verifyBundle } from '../../host/bundle/verify-bundle.ts';

export interface DeviceTrust {
  trustedKeys: readonly KeyObject[];
  hardwareRevision: string;
  rollbackCounter: number;
}

/** Why a downloaded bundle is refused; `code` is the BundleError code, or `job-mismatch`. */
export class BundleRefusal extends Error {
  constructor(
    readonly code: BundleError['code'] | 'job-mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'BundleRefusal';
  }
}

export function checkDownloadedBundle(bytes: Uint8Array, job: JobDocument, trust: DeviceTrust): ParsedBundle {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== job.sha256 || sha256 !== job.artifact) {
    throw new BundleRefusal('hash-mismatch', `downloaded bundle has SHA-256 ${sha256}, the job names ${job.sha256}`);
  }
  let parsed: ParsedBundle;
  try {
    parsed = parseBundle(bytes);
    verifyBundle(parsed, trust.trustedKeys, { hardwareRevision: trust.hardwareRevision, minCounter: trust.rollbackCounter });
  } catch (error) {
    if (error instanceof BundleError) throw new BundleRefusal(error.code, `${error.code}: ${error.message}`);
    throw error;
  }
  const { kind, version } = parsed.manifest;
  if (kind !== job.kind || version !== job.version) {
    throw new BundleRefusal('job-mismatch', `bundle is ${kind} ${version}, the job announced ${job.kind} ${job.version}`);
  }
  return parsed;
}

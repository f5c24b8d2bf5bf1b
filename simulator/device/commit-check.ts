// Commit on the device: reassembled manifest + signature -> the same verifyBundle the host uses,
// run over the bytes actually in the slot (signature with the device's trusted keys, hardware,
// anti-rollback counter, every segment and artifact hash). Returns the slot's new description.
import { createHash, type KeyObject } from 'node:crypto';
import { BundleError } from '../../host/bundle/bundle-error.ts';
import { manifestSchemaError, type Manifest } from '../../host/bundle/manifest-schema.ts';
import { verifyBundle } from '../../host/bundle/verify-bundle.ts';
import type { DeviceErrorName } from '../../host/protocol/reply-messages.ts';
import type { BodyOfKind } from '../../host/protocol/message-catalogue.ts';
import type { SlotInfo } from './boot-state.ts';
import type { Journal } from './flash-session.ts';

export class CommitRefusal extends Error {
  constructor(
    readonly code: DeviceErrorName,
    message: string,
  ) {
    super(message);
  }
}

const BUNDLE_TO_DEVICE: Partial<Record<BundleError['code'], DeviceErrorName>> = {
  'bad-signature': 'bad-signature',
  unsigned: 'bad-signature',
  'unknown-key': 'unknown-key',
  'wrong-hardware': 'wrong-hardware',
  downgrade: 'downgrade',
  'hash-mismatch': 'hash-mismatch',
  truncated: 'hash-mismatch',
};

export interface CommitInput {
  manifestBytes: Uint8Array;
  commit: BodyOfKind<'commit'>;
  journal: Journal | undefined;
  readArtifact: (slot: number, offset: number, size: number) => Uint8Array;
  trustedKeys: readonly KeyObject[];
  hardwareRevision: string;
  rollbackCounter: number;
}

export function checkCommit(input: CommitInput): { slot: number; info: SlotInfo } {
  const { manifestBytes, commit, journal } = input;
  if (!createHash('sha256').update(manifestBytes).digest().equals(commit.manifestSha256)) {
    throw new CommitRefusal('hash-mismatch', 'the manifest received does not match its SHA-256: resend it (flash again)');
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes)) as Manifest;
  } catch {
    throw new CommitRefusal('bad-message', 'the manifest is not UTF-8 JSON');
  }
  const schema = manifestSchemaError(manifest);
  if (schema) throw new CommitRefusal('bad-message', `manifest ${schema}`);
  if (!journal || journal.slot < 0) throw new CommitRefusal('bad-state', 'nothing was flashed since the last commit: flash the artifacts first');
  const placed = manifest.artifacts.map((entry) => {
    const j = journal.artifacts.find((a) => a.name === entry.name);
    if (!j || j.size !== entry.size || j.sha256 !== entry.sha256) {
      throw new CommitRefusal('bad-state', `artifact '${entry.name}' of the manifest was not flashed: flash the whole bundle again`);
    }
    const held = Buffer.from(j.held, 'hex');
    for (let i = 0; i < j.segmentCount; i++) {
      if (!(held[i >> 3] & (1 << (i & 7)))) throw new CommitRefusal('bad-state', `artifact '${entry.name}' is missing segment ${i}: resume the flash`);
    }
    return { entry, j };
  });
  try {
    verifyBundle(
      {
        manifest,
        manifestBytes,
        signature: { keyId: commit.keyId, signature: commit.signature },
        artifacts: placed.map(({ entry, j }) => ({ entry, bytes: input.readArtifact(journal.slot, j.offset, j.size) })),
      },
      input.trustedKeys,
      { hardwareRevision: input.hardwareRevision, minCounter: input.rollbackCounter },
    );
  } catch (e) {
    if (e instanceof BundleError) throw new CommitRefusal(BUNDLE_TO_DEVICE[e.code] ?? 'bad-message', e.message);
    throw e;
  }
  return {
    slot: journal.slot,
    info: {
      state: 'pending-test',
      version: manifest.version,
      counter: manifest.counter,
      artifacts: placed.map(({ j }) => ({ name: j.name, type: j.type, offset: j.offset, size: j.size, sha256: j.sha256 })),
    },
  };
}

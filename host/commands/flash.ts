// `anc flash`: one bundle onto the device. Per artifact: flash-begin (the reply says which
// segments the device already holds: resume), the segment hashes, then every missing segment,
// deflated when that pays, with up to the device's window in flight and nacks resent. Then the
// signed manifest, commit (the device re-verifies everything), test boot and confirm.
import type { KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import { parseBundle, type ParsedBundle } from '../bundle/parse-bundle.ts';
import { verifyBundle } from '../bundle/verify-bundle.ts';
import type { Connection } from '../client/connect.ts';
import { DeviceError } from '../client/device-error.ts';
import { runWindowed } from '../client/sliding-window.ts';
import type { CompressionName } from '../protocol/handshake-messages.ts';
import { HEADER_LENGTH } from '../protocol/message.ts';
import { indicesFromBitmap } from '../protocol/segment-bitmap.ts';
import { packSegment } from '../protocol/segment-compression.ts';
import { ProtocolError } from '../protocol/protocol-error.ts';

export interface FlashProgress {
  phase: 'write' | 'commit' | 'boot' | 'confirm';
  artifact?: string;
  /** Raw artifact bytes written or found already held, over all artifacts. */
  done: number;
  total: number;
}

export interface FlashOptions {
  bundle: Uint8Array;
  /** Check the signature on the host first (the device checks again at commit). */
  trustedKeys?: readonly KeyObject[];
  /** Default true: deflate segments when the device supports it and it pays. */
  compress?: boolean;
  /** Default true: confirm after a good test boot; false leaves it pending (anc confirm later). */
  confirm?: boolean;
  onProgress?: (p: FlashProgress) => void;
}

export interface FlashResult {
  version: string;
  counter: number;
  artifacts: number;
  segmentsSent: number;
  segmentsHeld: number;
  nacks: number;
  rawBytes: number;
  /** Segment payload bytes put in frames (after compression). */
  wireBytes: number;
  seconds: number;
  confirmed: boolean;
}

/** Segment flash-segment header: u32 index, u8 compression, u32 rawLength. */
const SEGMENT_HEADER = 9;
const MAX_NACKS_PER_SEGMENT = 3;

export async function flashBundle(conn: Connection, options: FlashOptions): Promise<FlashResult> {
  const started = performance.now();
  const parsed: ParsedBundle = parseBundle(options.bundle);
  const { client, session } = conn;
  if (options.trustedKeys?.length) {
    const info = await client.request({ kind: 'info-request' }, { expect: ['info'] });
    verifyBundle(parsed, options.trustedKeys, { hardwareRevision: info.hardwareRevision, minCounter: info.rollbackCounter });
  }
  const compression: CompressionName[] = options.compress === false ? ['none'] : session.compression;
  const total = parsed.artifacts.reduce((n, a) => n + a.entry.size, 0);
  const r: FlashResult = { version: parsed.manifest.version, counter: parsed.manifest.counter, artifacts: parsed.artifacts.length, segmentsSent: 0, segmentsHeld: 0, nacks: 0, rawBytes: total, wireBytes: 0, seconds: 0, confirmed: false };
  let done = 0;
  const report = (phase: FlashProgress['phase'], artifact?: string) => options.onProgress?.({ phase, artifact, done, total });

  for (const { entry, bytes } of parsed.artifacts) {
    if (entry.segmentSize + SEGMENT_HEADER + HEADER_LENGTH > session.sendMaxPayload) {
      throw new ProtocolError('too-large', `artifact '${entry.name}' has ${entry.segmentSize}-byte segments, the device takes frames of ${session.sendMaxPayload}: repack with --segment-size ${floorPow2(session.sendMaxPayload - 64)}`);
    }
    const status = await client.request(
      { kind: 'flash-begin', artifactName: entry.name, artifactType: entry.type, size: entry.size, sha256: Buffer.from(entry.sha256, 'hex'), segmentSize: entry.segmentSize, segmentCount: entry.segments.length },
      { expect: ['flash-status'] },
    );
    const held = new Set(status.artifactName === entry.name && status.segmentCount === entry.segments.length ? indicesFromBitmap(status.segmentCount, status.held) : []);
    const perMessage = Math.floor((session.sendMaxPayload - HEADER_LENGTH - 4) / 32);
    for (let first = 0; first < entry.segments.length; first += perMessage) {
      const hashes = entry.segments.slice(first, first + perMessage).map((h) => Buffer.from(h, 'hex'));
      await client.request({ kind: 'flash-hashes', firstIndex: first, hashes }, { expect: ['ack'] });
    }
    // The device re-checks held segments against the hashes: ask again what survived.
    const after = held.size > 0 ? await client.request({ kind: 'flash-status-request' }, { expect: ['flash-status'] }) : undefined;
    const stillHeld = after ? new Set(indicesFromBitmap(after.segmentCount, after.held)) : held;
    r.segmentsHeld += stillHeld.size;
    for (const i of stillHeld) done += Math.min(entry.segmentSize, entry.size - i * entry.segmentSize);
    report('write', entry.name);
    const todo = entry.segments.map((_, i) => i).filter((i) => !stillHeld.has(i));
    await runWindowed(todo, session.sendWindow, async (index) => {
      const raw = bytes.subarray(index * entry.segmentSize, (index + 1) * entry.segmentSize);
      const packed = packSegment(raw, compression);
      for (let attempt = 0; ; attempt++) {
        const reply = await client.request({ kind: 'flash-segment', index, ...packed }, { expect: ['segment-ack', 'segment-nack'] });
        r.wireBytes += packed.data.length;
        if (reply.kind === 'segment-ack') break;
        r.nacks++;
        if (attempt + 1 >= MAX_NACKS_PER_SEGMENT) throw new DeviceError(9, `the device refused segment ${index} of '${entry.name}' ${MAX_NACKS_PER_SEGMENT} times (${reply.reason}): run anc flash again; if it persists the device flash is failing`);
      }
      r.segmentsSent++;
      done += raw.length;
      report('write', entry.name);
    });
  }

  report('commit');
  const m = parsed.manifestBytes;
  const chunk = session.sendMaxPayload - HEADER_LENGTH - 8;
  for (let offset = 0; offset < m.length; offset += chunk) {
    await client.request({ kind: 'manifest-chunk', totalLength: m.length, offset, data: m.subarray(offset, offset + chunk) }, { expect: ['ack'] });
  }
  if (!parsed.signature) throw new DeviceError(5, 'the bundle is not signed and the device only installs signed bundles: sign it with `anc sign`');
  await client.request(
    { kind: 'commit', manifestSha256: createHash('sha256').update(m).digest(), keyId: parsed.signature.keyId, signature: parsed.signature.signature },
    { expect: ['ack'] },
  );
  report('boot');
  await client.request({ kind: 'boot-control', action: 'test-boot' }, { expect: ['ack'] });
  if (options.confirm !== false) {
    report('confirm');
    await client.request({ kind: 'boot-control', action: 'confirm' }, { expect: ['ack'] });
    r.confirmed = true;
  }
  r.seconds = (performance.now() - started) / 1000;
  return r;
}

function floorPow2(n: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(256, n)));
}

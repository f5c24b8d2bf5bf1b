// The device side of flash-begin / flash-hashes / flash-segment / flash-status. Segments land in
// the inactive slot only; a journal (two-copy record) remembers which segments of which artifact
// are written, so a host that reconnects, or a device that lost power, resumes where it stopped.
import { createHash } from 'node:crypto';
import type { BodyOfKind } from '../../host/protocol/message-catalogue.ts';
import type { NackReasonName } from '../../host/protocol/flash-messages.ts';
import { bitmapFromIndices, indicesFromBitmap } from '../../host/protocol/segment-bitmap.ts';
import { unpackSegment } from '../../host/protocol/segment-compression.ts';
import { ProtocolError } from '../../host/protocol/protocol-error.ts';
import { LAYOUT } from './flash-layout.ts';
import type { FlashMedium } from './flash-medium.ts';
import type { RecordStore } from './record-store.ts';
import type { SlotArtifact } from './boot-state.ts';

export interface JournalArtifact extends SlotArtifact {
  segmentSize: number;
  segmentCount: number;
  /** Held segments as hex bitmap (see segment-bitmap.ts). */
  held: string;
}

export interface Journal {
  slot: number;
  artifacts: JournalArtifact[];
}

/** Refusals that answer a request with `error` rather than a segment nack. */
export class FlashRefusal extends Error {
  constructor(
    readonly code: 'bad-state' | 'too-large' | 'bad-message',
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

export class FlashSession {
  #journal: Journal | undefined;
  #current: JournalArtifact | undefined;
  /** Segment hashes of the current artifact, as sent by the host (RAM only: the host resends them). */
  #hashes: Array<Uint8Array | undefined> = [];
  #held = new Set<number>();

  constructor(
    private readonly medium: FlashMedium,
    private readonly store: RecordStore<Journal>,
  ) {
    this.#journal = store.load();
  }

  get journal(): Journal | undefined {
    return this.#journal;
  }

  /** Forgets everything staged (after a commit, or when the target slot changes). */
  clear(): void {
    this.#journal = { slot: -1, artifacts: [] };
    this.store.save(this.#journal);
    this.#current = undefined;
  }

  begin(b: BodyOfKind<'flash-begin'>, slot: number, maxSegment: number): BodyOfKind<'flash-status'> {
    if (b.segmentSize > maxSegment) {
      throw new FlashRefusal('too-large', `segments of ${b.segmentSize} bytes do not fit this device's ${maxSegment}-byte frames: repack with --segment-size ${[8192, 4096, 1024].find((s) => s <= maxSegment) ?? 256}`);
    }
    if (!this.#journal || this.#journal.slot !== slot) this.#journal = { slot, artifacts: [] };
    const sha = Buffer.from(b.sha256).toString('hex');
    let entry = this.#journal.artifacts.find((a) => a.name === b.artifactName);
    if (entry && (entry.size !== b.size || entry.sha256 !== sha || entry.segmentSize !== b.segmentSize || entry.type !== b.artifactType)) {
      // Same name, different content: start that artifact over (and everything placed after it).
      this.#journal.artifacts = this.#journal.artifacts.slice(0, this.#journal.artifacts.indexOf(entry));
      entry = undefined;
    }
    if (!entry) {
      const last = this.#journal.artifacts.at(-1);
      const offset = last ? Math.ceil((last.offset + last.size) / 8) * 8 : 0;
      if (offset + b.size > LAYOUT.slots[slot].size) {
        throw new FlashRefusal('too-large', `artifact '${b.artifactName}' (${b.size} bytes) does not fit the ${LAYOUT.slots[slot].size}-byte slot`);
      }
      entry = { name: b.artifactName, type: b.artifactType, offset, size: b.size, sha256: sha, segmentSize: b.segmentSize, segmentCount: b.segmentCount, held: '' };
      entry.held = Buffer.from(bitmapFromIndices(b.segmentCount, [])).toString('hex');
      this.#journal.artifacts.push(entry);
      this.store.save(this.#journal);
    }
    this.#current = entry;
    this.#hashes = new Array(entry.segmentCount);
    this.#held = new Set(indicesFromBitmap(entry.segmentCount, Buffer.from(entry.held, 'hex')));
    return this.status();
  }

  status(): BodyOfKind<'flash-status'> {
    const a = this.#current;
    if (!a) return { kind: 'flash-status', artifactName: '', segmentCount: 0, held: new Uint8Array(0) };
    return { kind: 'flash-status', artifactName: a.name, segmentCount: a.segmentCount, held: bitmapFromIndices(a.segmentCount, this.#held) };
  }

  hashes(b: BodyOfKind<'flash-hashes'>): void {
    const a = this.#current;
    if (!a) throw new FlashRefusal('bad-state', 'flash-hashes before flash-begin: send flash-begin first');
    if (b.firstIndex + b.hashes.length > a.segmentCount) throw new FlashRefusal('bad-message', `hashes ${b.firstIndex}..${b.firstIndex + b.hashes.length - 1} past segment ${a.segmentCount - 1}`);
    b.hashes.forEach((h, i) => (this.#hashes[b.firstIndex + i] = h));
    // A held segment that does not match its hash (a cut mid-write) is written again.
    let dropped = false;
    b.hashes.forEach((h, i) => {
      const index = b.firstIndex + i;
      if (this.#held.has(index) && !sha256(this.#readSegment(a, index)).equals(h)) {
        this.#held.delete(index);
        dropped = true;
      }
    });
    if (dropped) this.#saveHeld(a);
  }

  /** Writes one segment; returns a nack reason or undefined on success. */
  segment(b: BodyOfKind<'flash-segment'>): NackReasonName | undefined {
    const a = this.#current;
    if (!a || !this.#journal) return 'no-session';
    if (b.index >= a.segmentCount) return 'out-of-range';
    const expected = this.#hashes[b.index];
    if (!expected) return 'no-session';
    const rawLength = Math.min(a.segmentSize, a.size - b.index * a.segmentSize);
    let raw: Uint8Array;
    try {
      raw = unpackSegment(b, a.segmentSize);
    } catch (e) {
      if (e instanceof ProtocolError) return 'bad-compression';
      throw e;
    }
    if (raw.length !== rawLength || !sha256(raw).equals(expected)) return 'bad-hash';
    if (this.#held.has(b.index)) return undefined; // a resent segment already written
    this.medium.write(LAYOUT.slots[this.#journal.slot].offset + a.offset + b.index * a.segmentSize, raw);
    this.#held.add(b.index);
    this.#saveHeld(a);
    return undefined;
  }

  #saveHeld(a: JournalArtifact): void {
    a.held = Buffer.from(bitmapFromIndices(a.segmentCount, this.#held)).toString('hex');
    this.store.save(this.#journal!);
  }

  #readSegment(a: JournalArtifact, index: number): Uint8Array {
    const len = Math.min(a.segmentSize, a.size - index * a.segmentSize);
    return this.medium.read(LAYOUT.slots[this.#journal!.slot].offset + a.offset + index * a.segmentSize, len);
  }
}

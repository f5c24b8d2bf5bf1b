// The bytes of one bundle as its chunks arrive over MQTT (QoS 0: in any order, twice, or not at
// all). Chunks are the job's `chunkSize` slices of the bundle; what is held survives a
// disconnect, so a download resumes by asking again from the first missing byte. Every reply is
// checked against the job before a byte is kept: a chunk that does not fit is a reason to stop.
import type { DecodedChunk } from '../../fleet/ota/ota-messages.ts';

export interface ChunkSpan {
  index: number;
  offset: number;
  length: number;
}

export type ChunkVerdict = { ok: true; index: number; fresh: boolean } | { ok: false; reason: string };

export class DownloadBuffer {
  readonly size: number;
  readonly chunkSize: number;
  readonly chunks: number;
  readonly #bytes: Uint8Array;
  readonly #held: Uint8Array;
  #heldChunks = 0;
  #heldBytes = 0;
  /** Chunks held from the start with no gap. */
  #prefix = 0;

  constructor(size: number, chunkSize: number) {
    if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`bundle size ${size} must be a positive integer`);
    if (!(Number.isInteger(chunkSize) && chunkSize > 0)) throw new RangeError(`chunk size ${chunkSize} must be a positive integer`);
    this.size = size;
    this.chunkSize = chunkSize;
    this.chunks = Math.ceil(size / chunkSize);
    this.#bytes = new Uint8Array(size);
    this.#held = new Uint8Array(this.chunks);
  }

  /** The first byte not held: where a resumed download asks from. */
  get offset(): number {
    return Math.min(this.size, this.#prefix * this.chunkSize);
  }

  get heldBytes(): number {
    return this.#heldBytes;
  }

  get complete(): boolean {
    return this.#heldChunks === this.chunks;
  }

  span(index: number): ChunkSpan {
    const offset = index * this.chunkSize;
    return { index, offset, length: Math.min(this.chunkSize, this.size - offset) };
  }

  /** Up to `limit` chunks not held and not in `skip` (already asked for), first missing first. */
  missing(limit: number, skip: { has(index: number): boolean }): ChunkSpan[] {
    const out: ChunkSpan[] = [];
    for (let i = this.#prefix; i < this.chunks && out.length < limit; i++) {
      if (!this.#held[i] && !skip.has(i)) out.push(this.span(i));
    }
    return out;
  }

  /** Keeps a chunk that matches the job (size, alignment, length); says why one does not. */
  accept(chunk: DecodedChunk): ChunkVerdict {
    const { offset, total, bytes } = chunk;
    if (total !== this.size) return { ok: false, reason: `a chunk says the bundle is ${total} bytes, the job says ${this.size}` };
    if (offset >= this.size) return { ok: false, reason: `chunk at offset ${offset} is past the end of the ${this.size}-byte bundle` };
    if (offset % this.chunkSize !== 0) return { ok: false, reason: `chunk at offset ${offset} is not on a ${this.chunkSize}-byte chunk boundary` };
    const span = this.span(offset / this.chunkSize);
    if (bytes.length !== span.length) return { ok: false, reason: `chunk at offset ${offset} has ${bytes.length} bytes, expected ${span.length}` };
    if (this.#held[span.index]) return { ok: true, index: span.index, fresh: false };
    this.#bytes.set(bytes, offset);
    this.#held[span.index] = 1;
    this.#heldChunks++;
    this.#heldBytes += bytes.length;
    while (this.#prefix < this.chunks && this.#held[this.#prefix]) this.#prefix++;
    return { ok: true, index: span.index, fresh: true };
  }

  /** The whole bundle; only once complete. */
  bytes(): Uint8Array {
    if (!this.complete) throw new Error(`download incomplete: ${this.#heldBytes} of ${this.size} bytes`);
    return this.#bytes;
  }
}

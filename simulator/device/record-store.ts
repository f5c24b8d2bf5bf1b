// A small record kept in two flash copies, each `u32 sequence ‖ u32 length ‖ JSON ‖ u32 CRC-32C`.
// Saving overwrites the older copy; loading takes the valid copy with the higher sequence. A power
// cut mid-save corrupts only the copy being written, so the previous record survives: atomic.
import { crc32c } from '../../host/protocol/crc32c.ts';
import type { FlashMedium } from './flash-medium.ts';

const HEAD = 8;

export class RecordStore<T> {
  #sequence = 0;
  #newest: 'a' | 'b' | undefined;
  #loaded = false;

  constructor(
    private readonly medium: FlashMedium,
    private readonly at: { a: number; b: number },
    private readonly size: number,
  ) {}

  load(): T | undefined {
    const copies = (['a', 'b'] as const).map((k) => ({ k, r: this.#read(this.at[k]) })).filter((c) => c.r !== undefined);
    copies.sort((x, y) => y.r!.sequence - x.r!.sequence);
    const best = copies[0];
    this.#loaded = true;
    if (!best) return undefined;
    this.#sequence = best.r!.sequence;
    this.#newest = best.k;
    return best.r!.value as T;
  }

  save(value: T): void {
    // The sequence and the copy to overwrite come from what is on flash: a save that has not
    // looked would restart at sequence 1 and lose to the older copies.
    if (!this.#loaded) this.load();
    const json = new TextEncoder().encode(JSON.stringify(value));
    if (HEAD + json.length + 4 > this.size) throw new RangeError(`record of ${json.length} bytes does not fit ${this.size}`);
    const out = new Uint8Array(HEAD + json.length + 4);
    const v = new DataView(out.buffer);
    const sequence = this.#sequence + 1;
    v.setUint32(0, sequence, true);
    v.setUint32(4, json.length, true);
    out.set(json, HEAD);
    v.setUint32(HEAD + json.length, crc32c(out, 0, 0, HEAD + json.length), true);
    const target = this.#newest === 'a' ? 'b' : 'a';
    this.medium.write(this.at[target], out);
    this.#sequence = sequence;
    this.#newest = target;
  }

  #read(offset: number): { sequence: number; value: unknown } | undefined {
    const head = this.medium.read(offset, HEAD);
    const v = new DataView(head.buffer);
    const length = v.getUint32(4, true);
    if (length === 0 || HEAD + length + 4 > this.size) return undefined;
    const all = this.medium.read(offset, HEAD + length + 4);
    if (crc32c(all, 0, 0, HEAD + length) !== new DataView(all.buffer).getUint32(HEAD + length, true)) return undefined;
    try {
      return { sequence: v.getUint32(0, true), value: JSON.parse(new TextDecoder().decode(all.subarray(HEAD, HEAD + length))) };
    } catch {
      return undefined;
    }
  }
}

// What every message type provides: its type byte, its kind name, and a body codec.
// Codecs work on a ByteWriter/ByteReader so all range and length checks live in one place.
import type { ByteReader } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';
import { ProtocolError } from './protocol-error.ts';

export interface MessageCodec<K extends string, B> {
  readonly kind: K;
  readonly type: number;
  encode(w: ByteWriter, body: B): void;
  /** Reads exactly the body; the caller checks that nothing is left. */
  decode(r: ByteReader): B;
}

export function defineCodec<K extends string, B>(codec: MessageCodec<K, B>): MessageCodec<K, B> {
  return codec;
}

/** A message body with no fields (requests such as info-request, the generic ack). */
export type Empty = Record<never, never>;
export const emptyBody = {
  encode(): void {},
  decode(): Empty {
    return {};
  },
};

/** Booleans travel as one byte, exactly 0 or 1. */
export function readBool(r: ByteReader, field: string): boolean {
  return r.oneOf([0, 1] as const, field) === 1;
}
export function writeBool(w: ByteWriter, v: boolean, field: string): void {
  w.u8(v ? 1 : 0, field);
}

/** Maps between a name and its wire byte; unknown bytes become ProtocolError('bad-value'). */
export class WireEnum<N extends string> {
  readonly #toByte: ReadonlyMap<N, number>;
  readonly #names: readonly N[];
  constructor(names: readonly N[]) {
    this.#names = names;
    this.#toByte = new Map(names.map((n, i) => [n, i]));
  }
  get names(): readonly N[] {
    return this.#names;
  }
  #byte(name: N, field: string): number {
    const b = this.#toByte.get(name);
    if (b === undefined) throw new ProtocolError('bad-value', `${field}: ${String(name)} is not one of ${this.#names.join(', ')}`);
    return b;
  }
  write(w: ByteWriter, name: N, field: string): void {
    w.u8(this.#byte(name, field), field);
  }
  read(r: ByteReader, field: string): N {
    const allowed = this.#names.map((_, i) => i);
    return this.#names[r.oneOf(allowed, `${field} (${this.#names.join(', ')})`)];
  }
  /** A set of names as a bitmask byte (bit i = name i). */
  writeMask(w: ByteWriter, set: readonly N[], field: string): void {
    let m = 0;
    for (const n of set) m |= 1 << this.#byte(n, field);
    w.u8(m, field);
  }
  readMask(r: ByteReader, field: string): N[] {
    const m = r.u8(field);
    const unknown = m & ~((1 << this.#names.length) - 1);
    if (unknown) throw new ProtocolError('bad-value', `${field} has unknown bits 0x${unknown.toString(16)}`);
    return this.#names.filter((_, i) => m & (1 << i));
  }
}

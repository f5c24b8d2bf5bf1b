// Bounds-checked little-endian reader for message bodies. Every read checks the remaining length
// first, so a hostile length field gives ProtocolError('truncated'), never a RangeError.
import { ProtocolError } from './protocol-error.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;
  readonly #what: string;

  constructor(bytes: Uint8Array, what = 'message') {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#what = what;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(n: number, field: string): number {
    if (n > this.remaining) {
      throw new ProtocolError('truncated', `${this.#what}: ${field} needs ${n} bytes, only ${this.remaining} left`);
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  u8(field: string): number {
    return this.#view.getUint8(this.#need(1, field));
  }
  u16(field: string): number {
    return this.#view.getUint16(this.#need(2, field), true);
  }
  u32(field: string): number {
    return this.#view.getUint32(this.#need(4, field), true);
  }
  i16(field: string): number {
    return this.#view.getInt16(this.#need(2, field), true);
  }
  f32(field: string): number {
    return this.#view.getFloat32(this.#need(4, field), true);
  }

  /** `n` bytes, copied so the result does not pin the receive buffer. */
  bytes(n: number, field: string): Uint8Array {
    const at = this.#need(n, field);
    return this.#bytes.slice(at, at + n);
  }

  /** Everything left (used for a trailing data field). */
  rest(field: string): Uint8Array {
    return this.bytes(this.remaining, field);
  }

  /** UTF-8 string with a u8 byte length. */
  str8(field: string): string {
    return this.#utf8(this.u8(`${field} length`), field);
  }
  /** UTF-8 string with a u16 byte length. */
  str16(field: string): string {
    return this.#utf8(this.u16(`${field} length`), field);
  }

  #utf8(n: number, field: string): string {
    const at = this.#need(n, field);
    try {
      return utf8.decode(this.#bytes.subarray(at, at + n));
    } catch {
      throw new ProtocolError('bad-utf8', `${this.#what}: ${field} is not valid UTF-8`);
    }
  }

  /** An enum byte: must be one of `allowed`. */
  oneOf<T extends number>(allowed: readonly T[], field: string): T {
    const v = this.u8(field);
    if (!(allowed as readonly number[]).includes(v)) {
      throw new ProtocolError('bad-value', `${this.#what}: ${field} ${v} is not one of ${allowed.join(', ')}`);
    }
    return v as T;
  }

  /** Call after the last field: a longer body is an error, not silently ignored. */
  end(): void {
    if (this.remaining !== 0) {
      throw new ProtocolError('trailing-bytes', `${this.#what}: ${this.remaining} unexpected bytes after the last field`);
    }
  }
}

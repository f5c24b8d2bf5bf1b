// Growable little-endian writer for message bodies. Range checks on every field turn a bad value
// from the caller into ProtocolError('bad-value') instead of silently wrapped bytes on the wire.
import { ProtocolError } from './protocol-error.ts';

const utf8 = new TextEncoder();

export class ByteWriter {
  #bytes = new Uint8Array(64);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  #reserve(n: number): number {
    if (this.#length + n > this.#bytes.length) {
      const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
      next.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.#length;
    this.#length += n;
    return at;
  }

  #int(v: number, min: number, max: number, field: string): void {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ProtocolError('bad-value', `${field} must be an integer in ${min}..${max}, got ${v}`);
    }
  }

  u8(v: number, field: string): this {
    this.#int(v, 0, 0xff, field);
    const at = this.#reserve(1); // reserve first: it may replace the view
    this.#view.setUint8(at, v);
    return this;
  }
  u16(v: number, field: string): this {
    this.#int(v, 0, 0xffff, field);
    const at = this.#reserve(2); // reserve first: it may replace the view
    this.#view.setUint16(at, v, true);
    return this;
  }
  u32(v: number, field: string): this {
    this.#int(v, 0, 0xffffffff, field);
    const at = this.#reserve(4); // reserve first: it may replace the view
    this.#view.setUint32(at, v, true);
    return this;
  }
  i16(v: number, field: string): this {
    this.#int(v, -0x8000, 0x7fff, field);
    const at = this.#reserve(2); // reserve first: it may replace the view
    this.#view.setInt16(at, v, true);
    return this;
  }
  f32(v: number, _field: string): this {
    const at = this.#reserve(4); // reserve first: it may replace the view
    this.#view.setFloat32(at, v, true);
    return this;
  }

  bytes(b: Uint8Array, field: string, exactLength?: number): this {
    if (exactLength !== undefined && b.length !== exactLength) {
      throw new ProtocolError('bad-value', `${field} must be ${exactLength} bytes, got ${b.length}`);
    }
    const at = this.#reserve(b.length);
    this.#bytes.set(b, at);
    return this;
  }

  str8(s: string, field: string): this {
    return this.#str(s, 0xff, field, (n) => this.u8(n, `${field} length`));
  }
  str16(s: string, field: string): this {
    return this.#str(s, 0xffff, field, (n) => this.u16(n, `${field} length`));
  }

  #str(s: string, max: number, field: string, writeLength: (n: number) => void): this {
    const b = utf8.encode(s);
    if (b.length > max) throw new ProtocolError('too-large', `${field} is ${b.length} UTF-8 bytes, at most ${max} fit`);
    writeLength(b.length);
    return this.bytes(b, field);
  }

  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

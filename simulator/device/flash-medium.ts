// Simulated NOR flash backed by a file: what survives a power cut is exactly what reached the
// file. A test arms `cutAfterBytes` and the write that crosses it lands only partly, then every
// later access throws PowerLoss, as if the supply dropped mid-write.
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

export class PowerLoss extends Error {
  constructor(at: number) {
    super(`simulated power loss after ${at} bytes written`);
    this.name = 'PowerLoss';
  }
}

export class FlashMedium {
  readonly #fd: number;
  /** Bytes written since this medium was opened (the power-cut clock). */
  written = 0;
  /** Cut the power once this many bytes have been written (undefined: never). */
  cutAfterBytes: number | undefined;
  #dead = false;

  constructor(
    readonly path: string,
    readonly size: number,
  ) {
    const fresh = !existsSync(path);
    this.#fd = openSync(path, fresh ? 'w+' : 'r+');
    // Blank flash reads as 0xFF; a short file is extended with erased bytes.
    const have = fstatSync(this.#fd).size;
    if (have < size) {
      ftruncateSync(this.#fd, size);
      writeSync(this.#fd, new Uint8Array(size - have).fill(0xff), 0, size - have, have);
    }
  }

  get dead(): boolean {
    return this.#dead;
  }

  read(offset: number, length: number): Uint8Array {
    this.#alive();
    this.#bounds(offset, length);
    const out = new Uint8Array(length);
    readSync(this.#fd, out, 0, length, offset);
    return out;
  }

  write(offset: number, bytes: Uint8Array): void {
    this.#alive();
    this.#bounds(offset, bytes.length);
    let n = bytes.length;
    if (this.cutAfterBytes !== undefined && this.written + n > this.cutAfterBytes) n = Math.max(0, this.cutAfterBytes - this.written);
    if (n > 0) writeSync(this.#fd, bytes, 0, n, offset);
    this.written += n;
    if (n < bytes.length) {
      this.#dead = true;
      throw new PowerLoss(this.written);
    }
  }

  /** Cuts the power now, between writes: every later access throws. */
  cut(): PowerLoss {
    this.#dead = true;
    return new PowerLoss(this.written);
  }

  close(): void {
    closeSync(this.#fd);
  }

  #alive(): void {
    if (this.#dead) throw new PowerLoss(this.written);
  }

  #bounds(offset: number, length: number): void {
    if (offset < 0 || offset + length > this.size) throw new RangeError(`flash access ${offset}+${length} outside 0..${this.size}`);
  }
}

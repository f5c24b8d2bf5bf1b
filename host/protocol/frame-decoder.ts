// Streaming frame decoder: bytes in arbitrary chunks -> verified payloads.
// Bounded memory: one receive buffer sized for the largest allowed frame. Anything longer is
// discarded up to the next delimiter, so garbage or a lost delimiter costs at most one frame.
import { cobsDecode, cobsMaxEncodedLength } from './cobs.ts';
import { crc32c } from './crc32c.ts';
import { ABSOLUTE_MAX_PAYLOAD, CRC_LENGTH, HANDSHAKE_MAX_PAYLOAD } from './frame-limits.ts';
import { FRAME_DELIMITER } from './frame.ts';
import { ProtocolError } from './protocol-error.ts';

export interface FrameDecoderStats {
  /** Frames delivered. */
  frames: number;
  /** Frames dropped because the CRC-32C did not match. */
  badCrc: number;
  /** Frames dropped because COBS was invalid or the frame was shorter than its CRC. */
  malformed: number;
  /** Frames dropped because they were longer than the maximum payload. */
  oversized: number;
}

export interface FrameDecoderOptions {
  /** Largest payload accepted (default: the pre-handshake limit). */
  maxPayload?: number;
}

export class FrameDecoder {
  readonly stats: FrameDecoderStats = { frames: 0, badCrc: 0, malformed: 0, oversized: 0 };
  #maxPayload = HANDSHAKE_MAX_PAYLOAD;
  #buffer = new Uint8Array(0);
  #length = 0;
  #discarding = false;

  constructor(options: FrameDecoderOptions = {}) {
    this.setMaxPayload(options.maxPayload ?? HANDSHAKE_MAX_PAYLOAD);
  }

  get maxPayload(): number {
    return this.#maxPayload;
  }

  /** Changes the limit (after the handshake). Drops a partly received frame. */
  setMaxPayload(maxPayload: number): void {
    if (!Number.isInteger(maxPayload) || maxPayload < 0 || maxPayload > ABSOLUTE_MAX_PAYLOAD) {
      throw new ProtocolError('bad-value', `max payload must be an integer in 0..${ABSOLUTE_MAX_PAYLOAD}, got ${maxPayload}`);
    }
    this.#maxPayload = maxPayload;
    this.#buffer = new Uint8Array(cobsMaxEncodedLength(maxPayload + CRC_LENGTH));
    this.reset();
  }

  /** Forgets a partly received frame (for example after a reconnect or a baud change). */
  reset(): void {
    this.#length = 0;
    this.#discarding = false;
  }

  /** Feeds received bytes; returns the payloads of the good frames they completed, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === FRAME_DELIMITER) {
        if (this.#discarding) {
          this.#discarding = false;
        } else if (this.#length > 0) {
          const payload = this.#finish();
          if (payload) frames.push(payload);
        }
        // An empty frame (two delimiters in a row) is a legal "flush": nothing to count.
        this.#length = 0;
      } else if (!this.#discarding) {
        if (this.#length === this.#buffer.length) {
          this.stats.oversized++;
          this.#discarding = true;
          this.#length = 0;
        } else {
          this.#buffer[this.#length++] = b;
        }
      }
    }
    return frames;
  }

  #finish(): Uint8Array | undefined {
    let raw: Uint8Array;
    try {
      raw = cobsDecode(this.#buffer.subarray(0, this.#length));
    } catch {
      this.stats.malformed++;
      return undefined;
    }
    if (raw.length < CRC_LENGTH) {
      this.stats.malformed++;
      return undefined;
    }
    const n = raw.length - CRC_LENGTH;
    if (n > this.#maxPayload) {
      this.stats.oversized++;
      return undefined;
    }
    const expected = new DataView(raw.buffer, raw.byteOffset + n, CRC_LENGTH).getUint32(0, true);
    if (crc32c(raw, 0, 0, n) !== expected) {
      this.stats.badCrc++;
      return undefined;
    }
    this.stats.frames++;
    return raw.slice(0, n); // a copy: the caller may keep it after the next push
  }
}

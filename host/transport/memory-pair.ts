// Two connected in-memory transports: the fast path for tests and benchmarks, and a line that can
// misbehave on purpose. A pseudo-terminal has no baud limit, so line-rate emulation lives here:
// each direction is a wire that is busy for bytes / (baud / 10) seconds per write (8N1 framing),
// on a virtual clock so timer jitter does not change the measured throughput.
import { Listeners } from './listeners.ts';
import { TransportError, type CloseListener, type DataListener, type Transport } from './transport.ts';

export type Direction = 'a-to-b' | 'b-to-a';

/** Faults applied to bytes on the wire, per direction. */
export interface LineImpairments {
  /** Probability that each bit flips. */
  bitErrorRate?: number;
  /** Probability that each byte is lost. */
  dropRate?: number;
  /** Seed for the fault pattern, so a failing test reproduces. */
  seed?: number;
  /** Sees every chunk; returns what arrives instead (drop, corrupt, cut at a chosen byte...). */
  tap?: (bytes: Uint8Array, offset: number) => Uint8Array;
}

export interface MemoryPairOptions {
  /** Initial baud rate of both ends (default 115200). */
  baudRate?: number;
  /** Delay delivery as a UART at the sender's baud rate would (default false: as fast as possible). */
  emulateLineRate?: boolean;
  impairments?: Partial<Record<Direction, LineImpairments>>;
}

export interface MemoryPair {
  a: Transport;
  b: Transport;
  /** Pulls the cable: both ends close with a 'disconnected' reason. */
  disconnect(): void;
  setImpairments(direction: Direction, impairments: LineImpairments | undefined): void;
  /** Bytes put on each wire so far (before faults). */
  readonly sent: Record<Direction, number>;
}

export function createMemoryPair(options: MemoryPairOptions = {}): MemoryPair {
  const baud = options.baudRate ?? 115200;
  const a = new MemoryEnd('a', baud);
  const b = new MemoryEnd('b', baud);
  const wires = {
    'a-to-b': new Wire(a, b, !!options.emulateLineRate, options.impairments?.['a-to-b']),
    'b-to-a': new Wire(b, a, !!options.emulateLineRate, options.impairments?.['b-to-a']),
  };
  a.wire = wires['a-to-b'];
  b.wire = wires['b-to-a'];
  return {
    a,
    b,
    disconnect() {
      const reason = new TransportError('closed', 'the line was disconnected: check the cable and run the command again');
      a.finish(reason);
      b.finish(reason);
    },
    setImpairments(direction, impairments) {
      wires[direction].setImpairments(impairments);
    },
    get sent() {
      return { 'a-to-b': wires['a-to-b'].offset, 'b-to-a': wires['b-to-a'].offset };
    },
  };
}

/** One direction of the line: serialises writes, applies faults, delivers to the far end. */
class Wire {
  offset = 0;
  #freeAt = 0;
  #impair: LineImpairments | undefined;
  #random = mulberry32(1);

  constructor(
    private readonly from: MemoryEnd,
    private readonly to: MemoryEnd,
    private readonly emulateRate: boolean,
    impairments: LineImpairments | undefined,
  ) {
    this.setImpairments(impairments);
  }

  setImpairments(impairments: LineImpairments | undefined): void {
    this.#impair = impairments;
    this.#random = mulberry32(impairments?.seed ?? 1);
  }

  send(bytes: Uint8Array): Promise<void> {
    const chunk = this.#faults(bytes.slice()); // a copy: the writer may reuse its buffer
    const senderBaud = this.from.baudRate;
    if (!this.emulateRate) {
      return new Promise((resolve) =>
        setImmediate(() => {
          this.#deliver(chunk, senderBaud);
          resolve();
        }),
      );
    }
    const now = performance.now();
    const start = Math.max(now, this.#freeAt);
    this.#freeAt = start + (bytes.length * 10 * 1000) / senderBaud;
    return new Promise((resolve) =>
      setTimeout(() => {
        this.#deliver(chunk, senderBaud);
        resolve();
      }, Math.max(0, this.#freeAt - now)),
    );
  }

  #deliver(chunk: Uint8Array, senderBaud: number): void {
    if (!this.to.isOpen || chunk.length === 0) return;
    // A receiver at another rate samples garbage, as a real UART does.
    if (this.to.baudRate !== senderBaud) for (let i = 0; i < chunk.length; i++) chunk[i] = (chunk[i] ^ 0xa5 ^ Math.floor(this.#random() * 256)) | 1;
    this.to.receive(chunk);
  }

  #faults(bytes: Uint8Array): Uint8Array {
    const at = this.offset;
    this.offset += bytes.length;
    const f = this.#impair;
    if (!f) return bytes;
    let out = bytes;
    if (f.bitErrorRate) {
      for (let i = 0; i < out.length; i++) for (let bit = 0; bit < 8; bit++) if (this.#random() < f.bitErrorRate) out[i] ^= 1 << bit;
    }
    if (f.dropRate) out = out.filter(() => this.#random() >= f.dropRate!);
    if (f.tap) out = f.tap(out, at);
    return out;
  }
}

class MemoryEnd implements Transport {
  wire!: Wire;
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #closed = new Listeners<[Error | undefined]>();
  #open = true;
  #baud: number;

  constructor(
    readonly name: string,
    baud: number,
  ) {
    this.#baud = baud;
  }

  get baudRate(): number {
    return this.#baud;
  }
  get isOpen(): boolean {
    return this.#open;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) return Promise.reject(new TransportError('closed', `in-memory end ${this.name} is closed`));
    return this.wire.send(bytes);
  }

  receive(chunk: Uint8Array): void {
    if (this.#open) this.#data.emit(chunk);
  }

  onData(listener: DataListener): () => void {
    return this.#data.add(listener);
  }
  onClose(listener: CloseListener): () => void {
    return this.#closed.add(listener);
  }

  async setBaudRate(baud: number): Promise<void> {
    if (!Number.isInteger(baud) || baud <= 0) throw new TransportError('write-failed', `baud rate ${baud} is not a positive integer`);
    this.#baud = baud;
  }

  async close(): Promise<void> {
    this.finish(undefined);
  }

  finish(reason: Error | undefined): void {
    if (!this.#open) return;
    this.#open = false;
    this.#closed.emit(reason);
    this.#closed.clear();
    this.#data.clear();
  }
}

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The byte-moving layer: anything that carries bytes both ways (a serial port, a pseudo-terminal,
// an in-memory pair). It knows nothing of frames or messages; the link above it does.

export type DataListener = (chunk: Uint8Array) => void;
export type CloseListener = (reason: Error | undefined) => void;

export interface Transport {
  /** Resolves once the bytes have left this side (written to the OS or onto the emulated line). */
  write(bytes: Uint8Array): Promise<void>;
  /** Received bytes, in order, in arbitrary chunks. Returns an unsubscribe function. */
  onData(listener: DataListener): () => void;
  /** The link went away (closed here, by the peer, unplugged). Called once. */
  onClose(listener: CloseListener): () => void;
  /** Changes the line rate; callers switch only after the peer acknowledged at the old rate. */
  setBaudRate(baud: number): Promise<void>;
  readonly baudRate: number;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/** A transport that failed or was used after close; the message says what to do. */
export class TransportError extends Error {
  readonly code: 'closed' | 'open-failed' | 'write-failed' | 'list-failed';
  constructor(code: TransportError['code'], message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

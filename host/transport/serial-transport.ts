// A Transport over node-serialport: a real USB serial port, or one end of a pseudo-terminal pair.
// The binding is injectable (MockBinding in tests), as serialport's own design intends.
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';
import { Listeners } from './listeners.ts';
import { TransportError, type CloseListener, type DataListener, type Transport } from './transport.ts';

export interface SerialTransportOptions {
  path: string;
  baudRate: number;
  /** Default: the platform's native binding (serialport's autoDetect). */
  binding?: SerialBinding;
}

/** What SerialPortStream accepts as its hardware binding (MockBinding in tests). */
export type SerialBinding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];

export async function openSerialTransport(options: SerialTransportOptions): Promise<Transport> {
  const binding = options.binding ?? (SerialPort.binding as SerialBinding);
  const port = new SerialPortStream({ binding, path: options.path, baudRate: options.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => (err ? reject(new TransportError('open-failed', `cannot open ${options.path}: ${err.message}: check the port name (anc ports) and that no other program holds it`)) : resolve())),
  );
  return new SerialTransport(port, options.path, options.baudRate);
}

class SerialTransport implements Transport {
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #closed = new Listeners<[Error | undefined]>();
  #baud: number;
  #open = true;

  constructor(
    private readonly port: SerialPortStream,
    private readonly path: string,
    baud: number,
  ) {
    this.#baud = baud;
    port.on('data', (chunk: Buffer) => this.#data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    port.on('error', (e: Error) => this.#finish(e));
    port.on('close', (e: Error | null) => this.#finish(e ?? undefined));
  }

  get baudRate(): number {
    return this.#baud;
  }
  get isOpen(): boolean {
    return this.#open;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) return Promise.reject(new TransportError('closed', `${this.path} is closed`));
    // drain() can return before the bytes left: the write callback is what says they did.
    return new Promise((resolve, reject) =>
      this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), (err) =>
        err ? reject(new TransportError('write-failed', `write to ${this.path} failed: ${err.message}`)) : resolve(),
      ),
    );
  }

  onData(listener: DataListener): () => void {
    return this.#data.add(listener);
  }
  onClose(listener: CloseListener): () => void {
    return this.#closed.add(listener);
  }

  async setBaudRate(baud: number): Promise<void> {
    // update() flushes both buffers: the caller has already had the peer's ack at the old rate.
    await new Promise<void>((resolve, reject) => this.port.update({ baudRate: baud }, (err) => (err ? reject(err) : resolve())));
    this.#baud = baud;
  }

  close(): Promise<void> {
    if (!this.#open) return Promise.resolve();
    return new Promise((resolve) => {
      this.port.close(() => {
        this.#finish(undefined);
        resolve();
      });
    });
  }

  #finish(reason: Error | undefined): void {
    if (!this.#open) return;
    this.#open = false;
    this.#closed.emit(reason);
    this.#closed.clear();
    this.#data.clear();
  }
}

// Request/response over a MessageLink: request ids, one reply per request, an inactivity timeout
// per request that the device's progress events refresh (so long steps need no long timeouts),
// retries of the same id on timeout (a late reply to an earlier attempt still counts), and
// unsolicited events (logs, status) handed to listeners. Knows no operation: commands do.
import { decodeBody, MessageFlag, type Envelope } from '../protocol/message.ts';
import type { BodyOfKind, MessageBody, MessageKind } from '../protocol/message-catalogue.ts';
import { ProtocolError } from '../protocol/protocol-error.ts';
import { DeviceError, LinkError } from './device-error.ts';
import type { MessageLink } from './message-link.ts';

export interface ClientOptions {
  /** Silence after which a request is resent (default 1000 ms). */
  timeoutMs?: number;
  /** Resends after the first attempt (default 3). */
  retries?: number;
}

export interface RequestOptions<R extends MessageKind> {
  /** Reply kinds accepted; anything else is 'unexpected-reply'. */
  expect: readonly R[];
  timeoutMs?: number;
  retries?: number;
  onProgress?: (p: BodyOfKind<'progress'>) => void;
}

interface Pending {
  resolve(body: MessageBody): void;
  reject(e: Error): void;
  touch(): void;
  onProgress?: (p: BodyOfKind<'progress'>) => void;
}

export type EventListener = (body: MessageBody, id: number) => void;

export class Client {
  readonly #pending = new Map<number, Pending>();
  readonly #events = new Set<EventListener>();
  #nextId = 1;
  #closed: Error | undefined;
  readonly timeoutMs: number;
  readonly retries: number;

  constructor(
    readonly link: MessageLink,
    options: ClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.retries = options.retries ?? 3;
    link.onEnvelope((e) => this.#route(e));
    link.transport.onClose((reason) => {
      this.#closed = new LinkError('closed', `the device link closed${reason ? ` (${reason.message})` : ''}: reconnect and run the command again`);
      for (const p of this.#pending.values()) p.reject(this.#closed);
      this.#pending.clear();
    });
  }

  /** Unsolicited events: log lines, status stream, progress not tied to a pending request. */
  onEvent(listener: EventListener): () => void {
    this.#events.add(listener);
    return () => this.#events.delete(listener);
  }

  /** Sends a request and resolves with its reply body; an `error` reply rejects with DeviceError. */
  async request<R extends MessageKind>(body: MessageBody, options: RequestOptions<R>): Promise<BodyOfKind<R>> {
    if (this.#closed) throw this.#closed;
    const id = this.#allocateId();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const attempts = 1 + (options.retries ?? this.retries);
    let attempt = 0;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<BodyOfKind<R>>((resolve, reject) => {
        const send = () => {
          attempt++;
          this.link.send({ id, flags: 0, body }).catch(reject);
          arm();
        };
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            if (attempt < attempts) send();
            else reject(new LinkError('timeout', `no answer to ${body.kind} after ${attempts} attempts of ${timeoutMs} ms: check the port, the baud rate and that the headset is powered`));
          }, timeoutMs);
        };
        this.#pending.set(id, {
          resolve: (reply) => {
            if (reply.kind === 'error') reject(new DeviceError(reply.code, reply.message));
            else if ((options.expect as readonly string[]).includes(reply.kind)) resolve(reply as BodyOfKind<R>);
            else reject(new LinkError('unexpected-reply', `the device answered ${body.kind} with ${reply.kind}, expected ${options.expect.join(' or ')}: update anc or the device`));
          },
          reject,
          touch: arm,
          onProgress: options.onProgress,
        });
        send();
      });
    } finally {
      clearTimeout(timer);
      this.#pending.delete(id);
    }
  }

  #allocateId(): number {
    // ids wrap at u16; 0 is left for events unrelated to any request
    for (let n = 0; n < 0xffff; n++) {
      const id = this.#nextId;
      this.#nextId = this.#nextId === 0xffff ? 1 : this.#nextId + 1;
      if (!this.#pending.has(id)) return id;
    }
    throw new LinkError('unexpected-reply', 'all 65535 request ids are in flight');
  }

  #route(e: Envelope): void {
    let body: MessageBody;
    const pending = this.#pending.get(e.id);
    try {
      body = decodeBody(e.type, e.payload);
    } catch (err) {
      // A body we cannot decode fails that request only; the link stays up.
      if (!(err instanceof ProtocolError)) throw err;
      if (pending && e.flags & MessageFlag.response) pending.reject(err);
      return;
    }
    if (e.flags & MessageFlag.response) {
      pending?.resolve(body); // a duplicate reply to a retried request finds nothing pending
      return;
    }
    if (body.kind === 'progress' && pending) {
      pending.touch();
      pending.onProgress?.(body);
      return;
    }
    for (const l of [...this.#events]) l(body, e.id);
  }
}

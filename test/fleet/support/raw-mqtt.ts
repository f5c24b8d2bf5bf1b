// A hand-driven MQTT 3.1.1 client over a raw TCP socket, for the cases a well-behaved client
// library will not produce: a zero-length client id without a clean session, a second CONNECT on
// one connection, a wrong protocol name, a client that goes silent (no PINGREQ) or never
// acknowledges what it receives. Only what those tests need is encoded.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface RawConnect {
  clientId: string;
  username?: string;
  password?: string;
  clean?: boolean;
  keepalive?: number;
  protocolName?: string;
  will?: { topic: string; payload: string; qos?: 0 | 1 | 2; retain?: boolean };
}

export interface RawPacket {
  type: number;
  flags: number;
  body: Buffer;
}

/** The packet types these tests read or write (MQTT 3.1.1, section 2.2.1). */
export const PACKET = { connect: 1, connack: 2, publish: 3, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7, subscribe: 8, suback: 9, disconnect: 14 } as const;

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);
}

export function encodeConnect(c: RawConnect): Buffer {
  let flags = c.clean === false ? 0 : 0x02;
  if (c.will) flags |= 0x04 | ((c.will.qos ?? 0) << 3) | (c.will.retain ? 0x20 : 0);
  if (c.password !== undefined) flags |= 0x40;
  if (c.username !== undefined) flags |= 0x80;
  const keepalive = c.keepalive ?? 30;
  const parts = [str(c.protocolName ?? 'MQTT'), Buffer.from([4, flags, keepalive >> 8, keepalive & 0xff]), str(c.clientId)];
  if (c.will) parts.push(str(c.will.topic), str(c.will.payload));
  if (c.username !== undefined) parts.push(str(c.username));
  if (c.password !== undefined) parts.push(str(c.password));
  return packet(PACKET.connect << 4, Buffer.concat(parts));
}

export function encodeSubscribe(messageId: number, filters: Array<[string, number]>): Buffer {
  const body = Buffer.concat([Buffer.from([messageId >> 8, messageId & 0xff]), ...filters.flatMap(([f, qos]) => [str(f), Buffer.from([qos])])]);
  return packet((PACKET.subscribe << 4) | 0x02, body);
}

export const DISCONNECT = Buffer.from([PACKET.disconnect << 4, 0]);

/** The topic of a PUBLISH packet's body. */
export function publishTopic(p: RawPacket): string {
  const length = p.body.readUInt16BE(0);
  return p.body.subarray(2, 2 + length).toString('utf8');
}

export interface RawClient {
  socket: Socket;
  /** Every packet received so far, in order. */
  received: RawPacket[];
  write(bytes: Buffer): void;
  /** Resolves with the first received packet (already received or future) that matches, or rejects after `ms`. */
  waitFor(match: (p: RawPacket) => boolean, ms?: number, what?: string): Promise<RawPacket>;
  /** Resolves when the server closes the connection, rejects after `ms`. */
  closed(ms?: number): Promise<void>;
  isClosed(): boolean;
  /** Resolves with the first defined value of `check`, re-evaluated on every packet and on close. */
  waitUntil<T>(check: () => T | undefined, ms: number, what: string): Promise<T>;
}

/** Opens a socket to the broker and parses what it sends; sends nothing, acknowledges nothing. */
export async function openRaw(port: number, host = '127.0.0.1'): Promise<RawClient> {
  const socket = connect(port, host);
  await once(socket, 'connect');
  const received: RawPacket[] = [];
  const waiters = new Set<() => void>();
  let buffered = Buffer.alloc(0);
  let isClosed = false;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      let length = 0;
      let multiplier = 1;
      let i = 1;
      for (; i < buffered.length; i++) {
        length += (buffered[i]! & 0x7f) * multiplier;
        multiplier *= 128;
        if ((buffered[i]! & 0x80) === 0) break;
      }
      if (i >= buffered.length || buffered.length < i + 1 + length) break;
      received.push({ type: buffered[0]! >> 4, flags: buffered[0]! & 0x0f, body: buffered.subarray(i + 1, i + 1 + length) });
      buffered = buffered.subarray(i + 1 + length);
    }
    for (const w of waiters) w();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    isClosed = true;
    for (const w of waiters) w();
  });
  const wait = <T>(check: () => T | undefined, ms: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const poll = () => {
        const value = check();
        if (value === undefined) return false;
        clearTimeout(timer);
        waiters.delete(onChange);
        resolve(value);
        return true;
      };
      const onChange = () => void poll();
      const timer = setTimeout(() => {
        waiters.delete(onChange);
        reject(new Error(`${what} not seen within ${ms} ms`));
      }, ms);
      if (!poll()) waiters.add(onChange);
    });
  return {
    socket,
    received,
    write: (bytes) => socket.write(bytes),
    waitFor: (match, ms = 5000, what = 'packet') => wait(() => received.find(match), ms, what),
    closed: (ms = 5000) => wait(() => (isClosed ? true : undefined), ms, 'close').then(() => undefined),
    isClosed: () => isClosed,
    waitUntil: wait,
  };
}

/** Sends a CONNECT and resolves with the CONNACK return code, or 'closed' if the server hung up without one. */
export async function rawConnack(raw: RawClient, fields: RawConnect, ms = 5000): Promise<number | 'closed'> {
  raw.write(encodeConnect(fields));
  const seen = await raw.waitUntil(() => {
    const connack = raw.received.find((p) => p.type === PACKET.connack);
    if (connack) return connack.body[1]!;
    return raw.isClosed() ? ('closed' as const) : undefined;
  }, ms, 'CONNACK or close');
  return seen;
}

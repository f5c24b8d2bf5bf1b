// Connected devices: the lightest possible MQTT 3.1.1 client (a TCP socket, one CONNECT, then
// nothing but the broker's keepalive allowance), so the load generator is not what runs out.
// Opens connections with a bounded number in flight until the target, the time budget or the
// first wall of refusals is reached, and answers how many were connected at once.
import { connect, type Socket } from 'node:net';

function encodeString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

/** CONNECT, protocol level 4, clean session, keepalive in seconds. */
export function connectPacket(clientId: string, username?: string, password?: string, keepalive = 900): Buffer {
  const flags = 0x02 | (username !== undefined ? 0x80 : 0) | (password !== undefined ? 0x40 : 0);
  const body = Buffer.concat([
    encodeString('MQTT'),
    Buffer.from([4, flags, keepalive >> 8, keepalive & 0xff]),
    encodeString(clientId),
    ...(username !== undefined ? [encodeString(username)] : []),
    ...(password !== undefined ? [encodeString(password)] : []),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

export interface RampOptions {
  port: number;
  target: number;
  /** Client id / username / password of the i-th connection. */
  identity(i: number): { clientId: string; username?: string; password?: string };
  budgetMs: number;
  inFlight?: number;
}

export interface RampResult {
  connected: number;
  refused: number;
  errors: number;
  seconds: number;
  /** The first failure seen, if any (why the ramp stopped short). */
  firstFailure?: string;
  sockets: Socket[];
}

function openOne(port: number, packet: Buffer, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => fail(new Error('CONNACK timeout')), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    socket.once('connect', () => socket.write(packet));
    socket.once('data', (data: Buffer) => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.on('error', () => {}); // counted by the caller as a drop, not a crash
      if (data[0] === 0x20 && data[3] === 0) resolve(socket);
      else fail(Object.assign(new Error(`CONNACK ${data[3]}`), { refused: true }));
    });
  });
}

export async function rampConnections(o: RampOptions): Promise<RampResult> {
  const started = performance.now();
  const deadline = started + o.budgetMs;
  const sockets: Socket[] = [];
  const result: RampResult = { connected: 0, refused: 0, errors: 0, seconds: 0, sockets };
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < o.target && performance.now() < deadline && failures < 200) {
      const i = next++;
      const id = o.identity(i);
      try {
        sockets.push(await openOne(o.port, connectPacket(id.clientId, id.username, id.password), 15_000));
        result.connected++;
      } catch (error) {
        failures++;
        if ((error as { refused?: boolean }).refused) result.refused++;
        else result.errors++;
        result.firstFailure ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: o.inFlight ?? 100 }, worker));
  result.seconds = (performance.now() - started) / 1000;
  // those still open now are the ones held at once
  result.connected = sockets.filter((s) => !s.destroyed).length;
  return result;
}

export function closeAll(sockets: Socket[]): void {
  for (const s of sockets) s.destroy();
}

// The one contract every Transport must pass (in-memory pair, serialport over a socat pty).
// Mirrors aedes-persistence's abstract suite: each implementation's test file calls this.
import type { Test } from 'tap';
import type { Transport } from '../../../host/transport/transport.ts';
import { seededRandom } from '../seeded-random.ts';

export interface PairUnderTest {
  a: Transport;
  b: Transport;
  cleanup(): Promise<void>;
}

/** Resolves with exactly `n` received bytes, or rejects at the deadline saying how many came. */
export function receiveBytes(t: Transport, n: number, deadlineMs = 5000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const got = new Uint8Array(n);
    let at = 0;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`received ${at} of ${n} bytes before the ${deadlineMs} ms deadline`));
    }, deadlineMs);
    const off = t.onData((chunk) => {
      got.set(chunk.subarray(0, n - at), at);
      at += chunk.length;
      if (at >= n) {
        clearTimeout(timer);
        off();
        if (at > n) reject(new Error(`received ${at} bytes, expected ${n}`));
        else resolve(got);
      }
    });
  });
}

export function transportContract(t: Test, makePair: () => Promise<PairUnderTest>): void {
  t.test('bytes arrive in order, both ways at once, in any chunking', async (t) => {
    const { a, b, cleanup } = await makePair();
    t.teardown(cleanup);
    const rng = seededRandom(7);
    const ab = rng.bytes(40_000);
    const ba = rng.bytes(30_000);
    const gotB = receiveBytes(b, ab.length);
    const gotA = receiveBytes(a, ba.length);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < ab.length; ) {
      const n = 1 + rng.int(3000);
      writes.push(a.write(ab.subarray(i, i + n)));
      i += n;
    }
    writes.push(b.write(ba));
    await Promise.all(writes);
    t.same(await gotB, ab);
    t.same(await gotA, ba);
  });

  t.test('write resolves only after the bytes left, and the buffer may be reused', async (t) => {
    const { a, b, cleanup } = await makePair();
    t.teardown(cleanup);
    const buf = Uint8Array.from([1, 2, 3, 4]);
    const got = receiveBytes(b, 4);
    await a.write(buf);
    buf.fill(9);
    t.same(await got, Uint8Array.from([1, 2, 3, 4]));
  });

  t.test('close is reported once, and writing after close is a clear error', async (t) => {
    const { a, cleanup } = await makePair();
    t.teardown(cleanup);
    let closes = 0;
    a.onClose(() => closes++);
    t.ok(a.isOpen);
    await a.close();
    await a.close();
    t.notOk(a.isOpen);
    t.equal(closes, 1);
    await t.rejects(a.write(Uint8Array.of(1)), { name: 'TransportError', code: 'closed' });
  });

  t.test('unsubscribed listeners get nothing more', async (t) => {
    const { a, b, cleanup } = await makePair();
    t.teardown(cleanup);
    let stray = 0;
    const off = b.onData(() => stray++);
    off();
    const got = receiveBytes(b, 3);
    await a.write(Uint8Array.of(5, 6, 7));
    await got;
    t.equal(stray, 0);
  });
}

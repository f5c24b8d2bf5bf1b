import t from 'tap';
import { createMemoryPair } from '../../../host/transport/memory-pair.ts';
import { receiveBytes, transportContract } from './transport-contract.ts';

t.test('contract: in-memory pair', async (t) => {
  transportContract(t, async () => {
    const p = createMemoryPair();
    return { a: p.a, b: p.b, cleanup: async () => p.disconnect() };
  });
});

t.test('contract: in-memory pair with line-rate emulation', async (t) => {
  transportContract(t, async () => {
    const p = createMemoryPair({ baudRate: 3_000_000, emulateLineRate: true });
    return { a: p.a, b: p.b, cleanup: async () => p.disconnect() };
  });
});

t.test('line-rate emulation takes bytes*10/baud seconds', async (t) => {
  const p = createMemoryPair({ baudRate: 115200, emulateLineRate: true });
  const n = 2304; // 200 ms at 115200 baud, 8N1
  const got = receiveBytes(p.b, n);
  const start = performance.now();
  await Promise.all([p.a.write(new Uint8Array(n / 2)), p.a.write(new Uint8Array(n / 2))]);
  await got;
  const ms = performance.now() - start;
  t.ok(ms >= 195 && ms < 300, `took ${ms.toFixed(1)} ms`);
});

t.test('bit errors and drops follow their seed; a tap can cut at a chosen byte', async (t) => {
  const data = new Uint8Array(10_000).fill(0x55);
  const run = async (impairments: Parameters<typeof createMemoryPair>[0]) => {
    const p = createMemoryPair(impairments);
    const chunks: Uint8Array[] = [];
    p.b.onData((c) => chunks.push(c));
    await p.a.write(data);
    return Buffer.concat(chunks);
  };
  const flipped = await run({ impairments: { 'a-to-b': { bitErrorRate: 1e-3, seed: 3 } } });
  const diff = [...flipped].filter((b) => b !== 0x55).length;
  t.ok(diff > 20 && diff < 150, `${diff} bytes corrupted`);
  t.same(await run({ impairments: { 'a-to-b': { bitErrorRate: 1e-3, seed: 3 } } }), flipped, 'same seed, same faults');
  const dropped = await run({ impairments: { 'a-to-b': { dropRate: 0.01, seed: 4 } } });
  t.ok(dropped.length < 9950 && dropped.length > 9800, `${dropped.length} bytes survived`);
  const cut = await run({ impairments: { 'a-to-b': { tap: (b, at) => b.subarray(0, Math.max(0, 1234 - at)) } } });
  t.equal(cut.length, 1234);
});

t.test('a receiver at another baud rate sees garbage, at the same rate the data', async (t) => {
  const p = createMemoryPair({ baudRate: 115200 });
  await p.b.setBaudRate(921600);
  let got = receiveBytes(p.b, 4);
  await p.a.write(Uint8Array.of(1, 2, 3, 4));
  t.notSame(await got, Uint8Array.of(1, 2, 3, 4));
  await p.a.setBaudRate(921600);
  got = receiveBytes(p.b, 4);
  await p.a.write(Uint8Array.of(1, 2, 3, 4));
  t.same(await got, Uint8Array.of(1, 2, 3, 4));
});

t.test('disconnect closes both ends with a reason', async (t) => {
  const p = createMemoryPair();
  const reasons: Array<Error | undefined> = [];
  p.a.onClose((r) => reasons.push(r));
  p.b.onClose((r) => reasons.push(r));
  p.disconnect();
  t.equal(reasons.length, 2);
  t.match(reasons[0]?.message, /disconnected/);
  await t.rejects(p.b.write(Uint8Array.of(1)), { code: 'closed' });
});

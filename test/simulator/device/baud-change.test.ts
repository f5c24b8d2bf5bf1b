// Baud change over the in-memory pair (where a rate mismatch garbles bytes, as on a UART).
import t from 'tap';
import { join } from 'node:path';
import { changeBaud } from '../../../host/client/baud-change.ts';
import { rig, tempDir } from './headset-rig.ts';

t.test('acknowledged at the old rate, then both sides talk at the new one', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'));
  t.teardown(r.close);
  await changeBaud(r.conn.client, 921600);
  t.equal(r.pair.a.baudRate, 921600);
  t.equal(r.pair.b.baudRate, 921600);
  t.match(await r.conn.client.request({ kind: 'info-request' }, { expect: ['info'] }), { kind: 'info' });
});

t.test('a host that never switches: the device reverts on silence and the old rate works again', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'), { timeoutMs: 100, retries: 1 });
  t.teardown(r.close);
  const c = r.conn.client;
  const reverted = new Promise<void>((resolve) => r.headset.onLog((l) => /back to 115200/.test(l) && resolve()));
  await c.request({ kind: 'baud-change-request', baud: 3_000_000, revertAfterMs: 50 }, { expect: ['baud-change-ack'] });
  await reverted;
  t.equal(r.pair.b.baudRate, 115200);
  await r.conn.client.link.resync();
  t.match(await c.request({ kind: 'info-request' }, { expect: ['info'] }), { kind: 'info' });
});

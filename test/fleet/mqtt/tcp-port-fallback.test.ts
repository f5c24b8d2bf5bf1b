// Regression: `npm start` failed with EADDRINUSE on a machine that already runs a broker on
// 1883. With fallbacks allowed (the port was not chosen by anyone) the next free port is taken;
// a chosen port is used or fails.
import t from 'tap';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { listenMqttTcp } from '../../../fleet/mqtt/mqtt-transports.ts';

const broker = { accept: () => {} };

async function occupy(): Promise<{ port: number; close(): void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

t.test('a taken port is refused when it was chosen', async (t) => {
  const taken = await occupy();
  t.teardown(taken.close);
  await t.rejects(listenMqttTcp(broker, { port: taken.port, host: '127.0.0.1' }), { code: 'EADDRINUSE' });
});

t.test('with fallbacks the next free port is taken', async (t) => {
  const taken = await occupy();
  t.teardown(taken.close);
  const tcp = await listenMqttTcp(broker, { port: taken.port, host: '127.0.0.1', fallbacks: 16 });
  t.teardown(() => tcp.close());
  t.not(tcp.port, taken.port);
  t.ok(tcp.port > taken.port && tcp.port <= taken.port + 16, `listening on ${tcp.port}`);
});

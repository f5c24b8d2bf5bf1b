// A node whose Redis goes away (REDIS_URL): it stays up (no uncaught error: tap fails a test on
// one), says so once in its log and on /health (503, broker storage down), still stores shadow
// changes, works again once Redis is back, and shuts down promptly while Redis is away. Runs its
// own redis-server on a free port (the machine's Redis is not stopped): it needs only the binary.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import t, { type Test } from 'tap';
import { connectRedisBrokerStorage } from '../../../fleet/mqtt/redis-broker-storage.ts';
import { openPglite } from '../support/databases.ts';
import { eventually, nextMessage, startFleetNode } from '../support/fleet-node.ts';

const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!haveRedis) {
  t.skip('redis-server is not installed (apt-get install redis-server): the Redis outage test is skipped', () => {});
} else {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  /** A throwaway redis-server on `port`, resolved once it accepts connections. */
  const startRedis = async (): Promise<ChildProcess> => {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready within 10 s: ${seen}`)), 10_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${seen}`)));
    });
    return child;
  };
  let redis = await startRedis();
  const { db, close } = await openPglite();
  const log: string[] = [];
  const logger = { warn: (_: object, message: string) => void log.push(`warn ${message}`), info: (_: object, message: string) => void log.push(`info ${message}`) };
  const storage = await connectRedisBrokerStorage(`redis://127.0.0.1:${port}/0`, logger);
  const node = await startFleetNode(db, { nodeId: `outage-${process.pid}`, brokerStorage: storage, brokerLimits: { connectRate: { ratePerSecond: 1000, burst: 1000 } } });
  let closed = false;
  const closeNode = async () => {
    if (closed) return;
    closed = true;
    await node.server.close();
    await storage.close();
  };
  t.teardown(async () => {
    await closeNode();
    await close();
    redis.kill('SIGKILL');
  });
  const health = async () => {
    const res = await node.server.app.inject({ url: '/health' });
    return { code: res.statusCode, broker: res.json().broker as { status: string; storage?: string } };
  };

  /** A connected device, then Redis killed: resolves once it has exited. */
  const deviceThenKill = async (t: Test, id: string) => {
    const secret = await node.provision(id);
    const device = await node.connectDevice(id, secret);
    t.teardown(() => void device.end(true));
    const exited = once(redis, 'exit');
    redis.kill('SIGKILL');
    await exited;
  };

  t.test('Redis up: the broker reports its storage up', async (t) => {
    t.same(await health(), { code: 200, broker: { status: 'up', clients: 0, storage: 'up' } });
  });

  t.test('Redis killed: the node stays up, logs it once and answers /health 503', async (t) => {
    await deviceThenKill(t, 'out-1');
    const down = await eventually(async () => {
      const h = await health();
      return h.code === 503 ? h : undefined;
    }, 10_000, '/health reporting the outage');
    t.same(down.broker, { status: 'down', clients: 1, storage: 'down' });
    await eventually(async () => log.some((l) => l.startsWith('warn Redis unreachable')), 10_000, 'the outage logged');
    t.equal(log.filter((l) => l.startsWith('warn')).length, 1, 'one warning, however many retries');
    const res = await node.api('operator', { method: 'PATCH', url: '/api/v1/devices/out-1/shadow/desired', payload: { desired: { intensity: 0.1 } } });
    t.equal(res.statusCode, 200, 'a shadow change is still stored (its delta waits for the device to subscribe again)');
  });

  t.test('Redis back: the node recovers and delivers again', async (t) => {
    redis = await startRedis();
    await eventually(async () => (await health()).code === 200, 15_000, '/health back to 200');
    t.ok(log.includes('info Redis reachable again'));
    const secret = await node.provision('out-2');
    const device = await node.connectDevice('out-2', secret);
    t.teardown(() => void device.end(true));
    await device.subscribeAsync('anc/v1/out-2/shadow/delta', { qos: 1 });
    const delta = nextMessage(device, 'anc/v1/out-2/shadow/delta');
    const res = await node.api('operator', { method: 'PATCH', url: '/api/v1/devices/out-2/shadow/desired', payload: { desired: { intensity: 0.4 } } });
    t.equal(res.statusCode, 200);
    t.same((await delta).state, { intensity: 0.4 }, 'a delta goes through the Redis bus again');
  });

  t.test('shutting down while Redis is away finishes promptly', async (t) => {
    await deviceThenKill(t, 'out-3');
    await eventually(async () => (await health()).code === 503, 10_000, '/health reporting the outage');
    const started = Date.now();
    await closeNode();
    t.ok(Date.now() - started < 10_000, `closed in ${Date.now() - started} ms`);
  });
}

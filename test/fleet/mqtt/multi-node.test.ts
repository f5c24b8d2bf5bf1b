// Broker state in Redis (REDIS_URL: aedes-persistence-redis and mqemitter-redis). First the wiring
// of `anc-fleet serve` (startServer) with REDIS_URL, on PGlite; then two fleet nodes sharing
// PostgreSQL and Redis, as behind a TCP load balancer: whatever node a device is connected to, it
// gets what the other node publishes, finds its persistent session and queued messages on either
// node, is taken over when it connects again elsewhere, and is dropped everywhere when revoked.
// Needs TEST_REDIS_URL (and TEST_DATABASE_URL for the two nodes); uses Redis database 15, emptied
// before and after.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import t from 'tap';
import { loadConfig } from '../../../fleet/config.ts';
import { connectRedisBrokerStorage } from '../../../fleet/mqtt/redis-broker-storage.ts';
import { startServer } from '../../../fleet/server.ts';
import { openPostgres, postgresSkipReason, postgresUrl } from '../support/databases.ts';
import { closedByServer, eventually, nextMessage, startFleetNode, type FleetNode } from '../support/fleet-node.ts';

const redisBase = process.env.TEST_REDIS_URL;
if (!redisBase) {
  t.skip('TEST_REDIS_URL is not set: the Redis broker tests are skipped (export TEST_REDIS_URL=redis://127.0.0.1:6379 to run them)', () => {});
} else {
  const url = new URL(redisBase);
  url.pathname = '/15';
  const redisUrl = url.toString();
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  t.teardown(async () => {
    await redis.flushdb();
    redis.disconnect();
  });
  const clients: MqttClient[] = [];
  t.teardown(() => {
    for (const c of clients) c.end(true);
  });
  const redisClients = async () => ((await redis.client('LIST')) as string).split('\n').filter((line) => line.includes(' db=15 ')).length;

  t.test('anc-fleet serve with REDIS_URL keeps retained messages in Redis and lets go of it on close', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'anc-redis-serve-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const before = await redisClients();
    let password = '';
    const config = loadConfig({ REDIS_URL: redisUrl, NODE_ID: 'serve-test' }, { port: '0', mqttPort: '0', host: '127.0.0.1', dataDir });
    const server = await startServer(config, { logger: pino({ level: 'silent' }), onFirstAdmin: (admin) => (password = admin.password) });
    let closed = false;
    t.teardown(() => (closed ? undefined : server.close()));
    t.ok((await redisClients()) > before, 'the node holds Redis connections');
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    const { token } = (await login.json()) as { token: string };
    const created = await fetch(`${server.url}/api/v1/devices`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ id: 'rs-1' }) });
    const { secret } = (await created.json()) as { secret: string };
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.mqttPort}`, { clientId: 'rs-1', username: 'rs-1', password: secret, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(device);
    await device.publishAsync('anc/v1/rs-1/status', JSON.stringify({ v: 1, online: true, t: Date.now() }), { qos: 1, retain: true });
    t.equal(await redis.hexists('retained', 'anc/v1/rs-1/status'), 1, 'the retained status is stored in Redis');
    await device.endAsync();
    await server.close();
    closed = true;
    // Redis lists a connection until it has read the client's QUIT or seen the socket close
    await eventually(async () => (await redisClients()) === before, 5000, 'the Redis connections ending');
    t.pass('close ends every Redis connection of the node');
  });

  t.test('two nodes sharing PostgreSQL and Redis', { skip: postgresUrl ? false : postgresSkipReason }, async (t) => {
    const { db, close } = await openPostgres(postgresUrl!);
    t.teardown(close);
    const limits = { connectRate: { ratePerSecond: 1000, burst: 1000 } };
    const startNode = async (name: string): Promise<FleetNode> => {
      const storage = await connectRedisBrokerStorage(redisUrl);
      const node = await startFleetNode(db, { nodeId: `multi-${process.pid}-${name}`, brokerLimits: limits, brokerStorage: storage }, `multi-${name}`);
      t.teardown(async () => {
        await node.server.close();
        await storage.close();
      });
      return node;
    };
    const a = await startNode('a');
    const b = await startNode('b');

    const connect = async (node: FleetNode, id: string, secret: string, clean = true) => {
      const client = await node.connectDevice(id, secret, { clean });
      clients.push(client);
      return client;
    };
    const setDesired = async (node: FleetNode, id: string, intensity: number) => {
      const res = await node.api('operator', { method: 'PATCH', url: `/api/v1/devices/${id}/shadow/desired`, payload: { desired: { intensity } } });
      if (res.statusCode !== 200) throw new Error(`desired: ${res.body}`);
    };

    t.test('a device on node A gets the delta of a change made through node B', async (t) => {
      const secret = await a.provision('mn-delta');
      const device = await connect(a, 'mn-delta', secret);
      // SUBACK comes once node A's bus has subscribed in Redis; the empty shadow sends no delta
      await device.subscribeAsync('anc/v1/mn-delta/shadow/delta', { qos: 1 });
      const delta = nextMessage(device, 'anc/v1/mn-delta/shadow/delta');
      await setDesired(b, 'mn-delta', 0.7);
      t.same((await delta).state, { intensity: 0.7 }, 'delta from node B delivered on node A');
    });

    t.test('a persistent session queued on one node is resumed on the other', async (t) => {
      const secret = await a.provision('mn-session');
      const first = await connect(a, 'mn-session', secret, false);
      await first.subscribeAsync('anc/v1/mn-session/shadow/delta', { qos: 1 });
      const gone = once(a.server.broker.aedes, 'clientDisconnect');
      await first.endAsync();
      await gone;
      await setDesired(b, 'mn-session', 0.3); // queued for the offline session, in Redis
      // listening before CONNACK: the queued delta follows it at once
      const again = mqtt.connect(b.mqttUrl, { clientId: 'mn-session', username: 'mn-session', password: secret, clean: false, protocolVersion: 4, reconnectPeriod: 0 });
      clients.push(again);
      const delta = nextMessage(again, 'anc/v1/mn-session/shadow/delta');
      const packet = await new Promise<{ sessionPresent: boolean }>((resolve) => again.once('connect', resolve));
      t.equal(packet.sessionPresent, true, 'node B knows the session node A held');
      t.same((await delta).state, { intensity: 0.3 }, 'the delta queued while away arrives on node B');
    });

    t.test('connecting again on node B takes the session over from node A', async (t) => {
      const secret = await a.provision('mn-takeover');
      const old = await connect(a, 'mn-takeover', secret);
      const closed = closedByServer(old, 10_000);
      await connect(b, 'mn-takeover', secret);
      await closed;
      t.pass('the older connection on node A was closed');
    });

    t.test('revoking credentials through node B drops the session on node A', async (t) => {
      const secret = await a.provision('mn-revoke');
      const device = await connect(a, 'mn-revoke', secret);
      const closed = closedByServer(device, 10_000);
      const res = await b.api('operator', { method: 'DELETE', url: '/api/v1/devices/mn-revoke/credentials' });
      t.equal(res.statusCode, 200);
      await closed;
      t.pass('dropped on node A');
    });
  });
}

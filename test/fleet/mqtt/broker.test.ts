// The broker as devices and services meet it: real MQTT clients over TCP (mqtt.js, and Debian's
// mosquitto_pub/sub as an outside peer) and over WebSocket, against one fleet node on PGlite.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import { connectAsync, type MqttClient } from 'mqtt';
import t from 'tap';
import { openPglite } from '../support/databases.ts';
import { closedByServer, eventually, nextMessage, startFleetNode } from '../support/fleet-node.ts';

const { db, close } = await openPglite();
t.teardown(close);
// Every test client comes from 127.0.0.1: the node under test has a generous connect rate.
const node = await startFleetNode(db, { brokerLimits: { connectRate: { ratePerSecond: 1000, burst: 1000 } } });
t.teardown(() => node.server.close());

const clients: MqttClient[] = [];
t.teardown(async () => {
  for (const c of clients) c.end(true);
});
const track = (c: MqttClient) => (clients.push(c), c);

async function refusal(options: Parameters<typeof connectAsync>[1], url = node.mqttUrl): Promise<number | string> {
  try {
    track(await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options }));
    return 'connected';
  } catch (error) {
    return (error as { code?: number }).code ?? String(error);
  }
}

/** SUBACK return codes, including refusals (mqtt.js rejects on 0x80 but keeps the packet). */
async function subackCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (error) {
    return (error as { packet: { granted: number[] } }).packet.granted;
  }
}

/**
 * CONNACK return code for a hand-built MQTT 3.1.1 CONNECT: mqtt.js will not send a zero-length
 * client id with a persistent session, which is exactly the case to test.
 */
async function rawConnect(fields: { clientId: string; username: string; password: string; clean: boolean }): Promise<number> {
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  const flags = 0x80 | 0x40 | (fields.clean ? 0x02 : 0);
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, flags, 0, 30]), str(fields.clientId), str(fields.username), str(fields.password)]);
  const socket = connectTcp(node.server.mqttPort, '127.0.0.1');
  socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
  const [connack] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return connack[3]!;
}

const device = async (id: string) => ({ id, secret: await node.provision(id) });
const deviceRow = (id: string) => db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

t.test('devices authenticate with their secret; refusals carry MQTT 3.1.1 CONNACK codes', async (t) => {
  const { id, secret } = await device('hs-auth');
  const ok = track(await node.connectDevice(id, secret));
  t.ok(ok.connected);
  t.same(node.server.broker.identityOf(id), { kind: 'device', deviceId: id });
  await ok.endAsync();
  t.equal(await refusal({ clientId: id, username: id, password: 'wrong' }), 4, 'wrong secret');
  t.equal(await refusal({ clientId: 'ghost', username: 'ghost', password: secret }), 4, 'unknown device reads the same');
  t.equal(await refusal({ clientId: id, username: id }), 4, 'no password');
  t.equal(await refusal({ clientId: 'someone-else', username: id, password: secret }), 2, 'client id bound to the device');
  t.equal(await refusal({ clientId: id, username: 'a/b', password: secret }), 4, 'malformed username');
  // Zero-length client id: allowed with a clean session, refused (2) without one (MQTT-3.1.3-8).
  t.equal(await refusal({ clientId: '', username: id, password: secret, clean: true }), 'connected');
  t.equal(await rawConnect({ clientId: '', username: id, password: secret, clean: false }), 2, 'zero-length id without a clean session');
  t.equal(await rawConnect({ clientId: '', username: id, password: secret, clean: true }), 0);
  t.not(await refusal({ clientId: id, username: id, password: secret, protocolVersion: 5 }), 'connected', 'MQTT 5 is refused: the broker speaks 3.1.1');
});

t.test('services log in with an API key; roles map onto backend/observer/admin', async (t) => {
  const created = await node.api('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'worker', role: 'operator' } });
  t.equal(created.statusCode, 201);
  const { key, prefix, id: keyRowId } = created.json();
  const username = `service:${prefix}`;
  const backend = track(await connectAsync(node.mqttUrl, { clientId: `${username}:1`, username, password: key, reconnectPeriod: 0 }));
  t.same(node.server.broker.identityOf(`${username}:1`), { kind: 'service', role: 'backend', keyId: prefix });
  const granted = await backend.subscribeAsync('anc/v1/+/telemetry', { qos: 1 });
  t.equal(granted[0]!.qos, 1, 'a backend listens to the whole fleet');

  const viewerKey = (await node.api('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'dash', role: 'viewer' } })).json();
  const observer = track(await connectAsync(node.mqttUrl, { clientId: `service:${viewerKey.prefix}`, username: `service:${viewerKey.prefix}`, password: viewerKey.key, reconnectPeriod: 0 }));
  observer.publish('anc/v1/hs-auth/shadow/delta', '{}', { qos: 1 });
  await closedByServer(observer);
  t.pass('an observer that publishes is disconnected');

  t.equal(await refusal({ clientId: username, username, password: 'anc_000000000000_' + 'x'.repeat(43) }), 4, 'wrong key');
  const dropped = closedByServer(backend);
  t.equal((await node.api('admin', { method: 'DELETE', url: `/api/v1/api-keys/${keyRowId}` })).statusCode, 200);
  await dropped;
  t.pass('revoking the key dropped its live session');
  t.equal(await refusal({ clientId: username, username, password: key }), 5, 'a revoked key is "not authorized"');
});

t.test('a device reaches only its own subtree', async (t) => {
  const a = await device('hs-a');
  await device('hs-b');
  const client = track(await node.connectDevice(a.id, a.secret));
  const granted = await subackCodes(client, ['anc/v1/hs-a/#', 'anc/v1/hs-b/#', 'anc/v1/+/telemetry', '#', '$SYS/#']);
  t.same(granted, [1, 128, 128, 128, 128], 'other subtrees and wildcards over devices are refused (SUBACK 0x80)');
  t.ok(client.connected, 'a refused subscription keeps the connection');

  // A publish outside its subtree closes the connection (MQTT 3.1.1 has no negative PUBACK).
  for (const [topic, retain] of [
    ['anc/v1/hs-b/telemetry', false],
    ['anc/v1/hs-a/shadow/delta', false],
    ['anc/v1/hs-a/telemetry', true],
    ['elsewhere', false],
  ] as const) {
    const c = track(await node.connectDevice(a.id, a.secret));
    c.publish(topic, '{}', { qos: 1, retain });
    await closedByServer(c);
    t.pass(`publish to ${topic}${retain ? ' (retained)' : ''} closed the connection`);
  }
  const again = track(await node.connectDevice(a.id, a.secret));
  t.ok(again.connected, 'the broker is still up and the device may reconnect');
  await again.endAsync();
});

t.test('presence: online on connect, offline on disconnect; the will is published retained', async (t) => {
  const { id, secret } = await device('hs-presence');
  const watcher = track(await node.connectDevice(id, secret, { clientId: '', clean: true }));
  await watcher.subscribeAsync(`anc/v1/${id}/status`, { qos: 1 });
  const client = track(
    await node.connectDevice(id, secret, { will: { topic: `anc/v1/${id}/status`, payload: Buffer.from(JSON.stringify({ v: 1, online: false, reason: 'lost' })), qos: 1, retain: true } }),
  );
  await eventually(async () => (await deviceRow(id)).online, 5000, 'online');
  t.ok((await deviceRow(id)).last_seen instanceof Date);
  const will = nextMessage(watcher, `anc/v1/${id}/status`);
  client.stream.destroy(); // an unclean loss: the broker publishes the will
  t.same(await will, { v: 1, online: false, reason: 'lost' });
  await eventually(async () => !(await deviceRow(id)).online, 5000, 'offline');

  // A takeover by a reconnect must not leave the device marked offline by the old session.
  const first = track(await node.connectDevice(id, secret));
  await eventually(async () => (await deviceRow(id)).online, 5000, 'online again');
  const second = track(await node.connectDevice(id, secret));
  await closedByServer(first);
  // The old session's disconnect fired before the new CONNACK; wait for its write to land.
  await node.server.broker.idle();
  t.equal((await deviceRow(id)).online, true, 'the newer session keeps the device online');
  await second.endAsync();
  await eventually(async () => !(await deviceRow(id)).online, 5000, 'offline after a clean disconnect');
  await watcher.endAsync();
});

t.test('revoking credentials or deleting the device drops its live session', async (t) => {
  const { id, secret } = await device('hs-revoke');
  const client = track(await node.connectDevice(id, secret));
  const closed = closedByServer(client);
  await node.api('operator', { method: 'DELETE', url: `/api/v1/devices/${id}/credentials` });
  await closed;
  t.equal(await refusal({ clientId: id, username: id, password: secret }), 5, 'revoked: not authorized');

  const other = await device('hs-delete');
  const c2 = track(await node.connectDevice(other.id, other.secret));
  const closed2 = closedByServer(c2);
  await node.api('operator', { method: 'DELETE', url: `/api/v1/devices/${other.id}` });
  await closed2;
  t.equal(await refusal({ clientId: other.id, username: other.id, password: other.secret }), 4);
});

t.test('an oversized packet closes the connection before its body arrives; the broker stays up', async (t) => {
  const { id, secret } = await device('hs-big');
  const client = track(await node.connectDevice(id, secret));
  client.publish(`anc/v1/${id}/telemetry`, Buffer.alloc(200 * 1024, 0x20), { qos: 1 });
  await closedByServer(client);
  // A raw socket announcing a 100 MB packet is cut off after a few bytes.
  const raw = connectTcp(node.server.mqttPort, '127.0.0.1');
  await once(raw, 'connect');
  raw.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]));
  await once(raw, 'close');
  t.pass('announced 256 MB: closed');
  const again = track(await node.connectDevice(id, secret));
  t.ok(again.connected);
  await again.endAsync();
});

t.test('MQTT over WebSocket on /mqtt', async (t) => {
  const { id, secret } = await device('hs-ws');
  const client = track(await connectAsync(node.wsUrl, { clientId: id, username: id, password: secret, protocolVersion: 4, reconnectPeriod: 0 }));
  await client.subscribeAsync(`anc/v1/${id}/shadow/get/accepted`, { qos: 1 });
  const reply = nextMessage(client, `anc/v1/${id}/shadow/get/accepted`);
  await client.publishAsync(`anc/v1/${id}/shadow/get`, JSON.stringify({ clientToken: 'ws-1' }), { qos: 1 });
  t.match(await reply, { version: 0, clientToken: 'ws-1' });
  await client.endAsync();
  t.equal(await refusal({ clientId: id, username: id, password: 'nope' }, node.wsUrl), 4, 'authentication applies over WebSocket too');
});

/** Runs an outside program without blocking the event loop (the broker lives in this process). */
async function run(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args);
  const exited = once(child, 'exit');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [status] = (await exited) as [number | null];
  clearTimeout(timer);
  return { status, stdout, stderr };
}

const mosquitto = spawnSync('mosquitto_pub', ['--help']).error ? 'mosquitto_pub/mosquitto_sub not installed (apt-get install mosquitto-clients)' : false;

t.test('mosquitto_pub and mosquitto_sub as outside peers', { skip: mosquitto }, async (t) => {
  const { id, secret } = await device('hs-mosq');
  const base = ['-h', '127.0.0.1', '-p', String(node.server.mqttPort), '-V', 'mqttv311'];
  // mosquitto_sub as a backend service (an operator's API key) waits for one accepted reply...
  const apiKey = (await node.api('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'mosq', role: 'operator' } })).json();
  const service = `service:${apiKey.prefix}`;
  const sub = spawn('mosquitto_sub', [...base, '-u', service, '-P', apiKey.key, '-i', service, '-t', `anc/v1/${id}/shadow/update/accepted`, '-q', '1', '-C', '1', '-W', '10']);
  // Listened for at once: under load the reply can arrive before we would otherwise wait for it.
  const subExit = once(sub, 'exit');
  let out = '';
  sub.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const internals = node.server.broker.aedes as unknown as { clients: Record<string, { subscriptions: object }> };
  await eventually(async () => Object.keys(internals.clients[service]?.subscriptions ?? {}).length > 0, 5000, 'mosquitto_sub subscribed');
  // ...while mosquitto_pub, as the device, reports its state.
  const device_ = [...base, '-u', id, '-P', secret, '-i', id];
  const pub = await run('mosquitto_pub', [...device_, '-t', `anc/v1/${id}/shadow/update`, '-q', '1', '-m', JSON.stringify({ state: { reported: { ancMode: 'anc' } }, clientToken: 'mosq' })]);
  t.equal(pub.status, 0, pub.stderr);
  const [code] = await subExit;
  t.equal(code, 0);
  t.match(JSON.parse(out), { state: { reported: { ancMode: 'anc' } }, version: 1, clientToken: 'mosq' });

  const bad = await run('mosquitto_pub', [...device_, '-t', 'anc/v1/hs-other/telemetry', '-q', '1', '-m', '{}']);
  t.not(bad.status, 0, 'publishing to another device fails for mosquitto_pub too');
  const wrong = await run('mosquitto_pub', [...base, '-u', id, '-P', 'wrong', '-i', id, '-t', `anc/v1/${id}/status`, '-m', '{}']);
  t.not(wrong.status, 0);
  t.match(wrong.stderr, /not authori[sz]ed|bad user|refused/i);
});

t.test('the connect-rate limit answers CONNACK 3 to a reconnect storm', async (t) => {
  const limited = await startFleetNode(db, { brokerLimits: { connectRate: { ratePerSecond: 0.001, burst: 3 } } }, 'rl');
  t.teardown(() => limited.server.close());
  const { id, secret } = await device('hs-storm');
  const results: Array<number | string> = [];
  for (let i = 0; i < 5; i++) results.push(await refusal({ clientId: id, username: id, password: secret }, limited.mqttUrl));
  t.same(results, ['connected', 'connected', 'connected', 3, 3]);
  const health = await limited.server.app.inject('/health');
  t.equal(health.json().broker.status, 'up');
});

t.test('/health and /metrics report the broker', async (t) => {
  const { id, secret } = await device('hs-metrics');
  const client = track(await node.connectDevice(id, secret));
  const health = (await node.server.app.inject('/health')).json();
  t.equal(health.broker.status, 'up');
  t.ok(health.broker.clients >= 1);
  const metrics = (await node.server.app.inject('/metrics')).body;
  t.match(metrics, /fleet_connected_devices [1-9]/);
  t.match(metrics, /fleet_mqtt_messages_in_total\{kind="shadow\/update"\} [1-9]/);
  t.match(metrics, /fleet_mqtt_messages_out_total\{kind="shadow\/update\/accepted"\} [1-9]/);
  await client.endAsync();
});

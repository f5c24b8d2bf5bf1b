// MQTT 3.1.1 conformance: the ten scenarios of the Eclipse Paho interoperability suite
// (paho.mqtt.testing, interoperability/client_test.py), rewritten against our broker with
// authentication on. Paho's free topics (TopicA, TopicA/B, Topic/C, TopicA/C, /TopicA) are used by
// two service clients logged in with an admin API key ("aclient" and "bclient"); where a scenario
// says something about devices, a provisioned device runs it in its own subtree. Paho waits with
// sleeps; here every wait is on a packet, with a deadline, and "no more messages" is checked after
// a marker message published behind the others has arrived. Where the broker deliberately differs
// from a plain MQTT broker the test name says so, and docs/mqtt-topics.md documents it.
import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import t from 'tap';
import { countTelemetry } from '../../../fleet/telemetry/telemetry-repository.ts';
import { openPglite } from '../support/databases.ts';
import { closedByServer, startFleetNode } from '../support/fleet-node.ts';
import { DISCONNECT, PACKET, encodeConnect, encodeSubscribe, openRaw, publishTopic, rawConnack, type RawClient } from '../support/raw-mqtt.ts';

const { db, close } = await openPglite();
t.teardown(close);
const node = await startFleetNode(db, { brokerLimits: { connectRate: { ratePerSecond: 1000, burst: 1000 } } }, 'interop');
t.teardown(() => node.server.close());

// Paho's topic names and filters.
const topics = ['TopicA', 'TopicA/B', 'Topic/C', 'TopicA/C', '/TopicA'] as const;
const wildtopics = ['TopicA/+', '+/C', '#', '/#', '/+', '+/+', 'TopicA/#'] as const;

const adminKey = (await node.api('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'interop', role: 'admin' } })).json();
const service = `service:${adminKey.prefix}`;
const A = `${service}:myclientid`;
const B = `${service}:myclientid2`;
const asService = (clientId: string): IClientOptions => ({ clientId, username: service, password: adminKey.key });

interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
}

interface Session {
  client: MqttClient;
  connack: IConnackPacket;
  messages: Received[];
  /** Resolves once `count` messages satisfy `match`, rejects after `ms`. */
  receive(count: number, match?: (m: Received) => boolean, ms?: number): Promise<Received[]>;
}

const open: MqttClient[] = [];
t.afterEach(() => {
  for (const c of open.splice(0)) c.end(true);
});

/** Connects with the message listener attached before CONNACK, so queued messages are not missed. */
function session(options: IClientOptions): Promise<Session> {
  const client = connect(node.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, keepalive: 60, ...options });
  open.push(client);
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain, dup: packet.dup }));
  const receive = (count: number, match: (m: Received) => boolean = () => true, ms = 5000) =>
    new Promise<Received[]>((resolve, reject) => {
      const check = () => {
        const found = messages.filter(match);
        if (found.length < count) return;
        clearTimeout(timer);
        client.off('message', check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        client.off('message', check);
        reject(new Error(`${messages.filter(match).length} of ${count} messages within ${ms} ms: ${JSON.stringify(messages)}`));
      }, ms);
      client.on('message', check);
      check();
    });
  return new Promise((resolve, reject) => {
    client.once('connect', (connack) => resolve({ client, connack, messages, receive }));
    client.once('error', reject);
  });
}

/** SUBACK return codes, refusals included (mqtt.js rejects on 0x80 but keeps the packet). */
async function granted(client: MqttClient, filters: Array<[string, 0 | 1 | 2]>): Promise<number[]> {
  try {
    return (await client.subscribeAsync(Object.fromEntries(filters.map(([f, qos]) => [f, { qos }])))).map((g) => g.qos);
  } catch (error) {
    return (error as { packet: { granted: number[] } }).packet.granted;
  }
}

let markers = 0;
/**
 * Publishes a marker on `topic` from `from` and waits until `to` has it: everything `from` published
 * before it (and every retained message sent on an earlier SUBACK) has been delivered by then.
 * Returns the messages received before the marker, without the marker.
 */
async function flush(from: MqttClient, to: Session, topic: string): Promise<Received[]> {
  const payload = `marker-${++markers}`;
  await from.publishAsync(topic, payload, { qos: 1 });
  await to.receive(1, (m) => m.payload === payload);
  return to.messages.filter((m) => !m.payload.startsWith('marker-'));
}

/** Paho's cleanup(): no session state left for either client id. */
async function cleanSessions(): Promise<void> {
  for (const clientId of [A, B]) {
    const s = await session({ ...asService(clientId), clean: true });
    await s.client.endAsync();
  }
}

async function rawService(port = node.server.mqttPort): Promise<RawClient> {
  return openRaw(port);
}

const now = Date.now();
const telemetry = (n: number) => JSON.stringify({ v: 1, samples: [{ t: now - 1000 + n, attenuationDb: 10 + n, errorPower: 0.01, recoveries: 0 }] });

t.test('basic: QoS 0, 1 and 2 round trip; a second CONNECT and a wrong protocol name are refused', async (t) => {
  const first = await session(asService(A));
  await first.client.endAsync();
  const a = await session(asService(A));
  t.equal(a.connack.sessionPresent, false, 'a clean session is not present');
  t.same(await granted(a.client, [[topics[0], 2]]), [2]);
  await a.client.publishAsync(topics[0], 'qos 0', { qos: 0 });
  await a.client.publishAsync(topics[0], 'qos 1', { qos: 1 });
  await a.client.publishAsync(topics[0], 'qos 2', { qos: 2 });
  const got = await a.receive(3);
  t.same(
    got.map((m) => [m.payload, m.qos]),
    [
      ['qos 0', 0],
      ['qos 1', 1],
      ['qos 2', 2],
    ],
  );
  await a.client.endAsync();

  // MQTT-3.1.0-2: a second CONNECT on one network connection is a protocol violation.
  const raw = await rawService();
  t.equal(await rawConnack(raw, { clientId: A, username: service, password: adminKey.key }), 0);
  raw.write(encodeConnect({ clientId: A, username: service, password: adminKey.key }));
  await raw.closed();
  t.pass('the second CONNECT closed the connection');
  // MQTT-3.1.2-1: a protocol name other than "MQTT" is disconnected.
  const wrong = await rawService();
  t.not(await rawConnack(wrong, { clientId: A, username: service, password: adminKey.key, protocolName: 'hj' }), 0, 'protocol name "hj" is refused');
  await wrong.closed();
});

t.test('basic, as a device in its own subtree: telemetry at QoS 0, 1 and 2 is stored and forwarded', async (t) => {
  const id = 'interop-basic';
  const d = await session({ clientId: id, username: id, password: await node.provision(id) });
  t.same(await granted(d.client, [[`anc/v1/${id}/telemetry`, 2]]), [2]);
  for (const qos of [0, 1, 2] as const) await d.client.publishAsync(`anc/v1/${id}/telemetry`, telemetry(qos), { qos });
  const got = await d.receive(3);
  t.same(
    got.map((m) => m.qos),
    [0, 1, 2],
  );
  t.equal(await countTelemetry(db, id), 3, 'every forwarded batch was committed first');
});

t.test('retained messages: stored per topic, sent on subscribe with the retain flag, cleared by an empty payload', async (t) => {
  await cleanSessions();
  const a = await session({ ...asService(A), clean: true });
  t.equal(a.connack.sessionPresent, false);
  await a.client.publishAsync(topics[1], 'qos 0', { qos: 0, retain: true });
  await a.client.publishAsync(topics[2], 'qos 1', { qos: 1, retain: true });
  await a.client.publishAsync(topics[3], 'qos 2', { qos: 2, retain: true });
  t.same(await granted(a.client, [[wildtopics[5], 2]]), [2]);
  const retained = await a.receive(3);
  t.same(retained.map((m) => [m.topic, m.payload, m.retain]).sort(), [
    [topics[2], 'qos 1', true],
    [topics[1], 'qos 0', true],
    [topics[3], 'qos 2', true],
  ].sort());
  t.equal((await flush(a.client, a, 'marker/x')).length, 3, 'exactly the three retained messages');
  await a.client.endAsync();

  const clear = await session({ ...asService(A), clean: true });
  t.equal(clear.connack.sessionPresent, false);
  for (const [i, qos] of [
    [1, 0],
    [2, 1],
    [3, 2],
  ] as const) {
    await clear.client.publishAsync(topics[i], '', { qos, retain: true });
  }
  await clear.client.endAsync();
  const b = await session({ ...asService(A), clean: true });
  t.same(await granted(b.client, [[wildtopics[5], 2]]), [2]);
  t.same(await flush(b.client, b, 'marker/x'), [], 'no retained message is left');
});

t.test('retained messages, devices (deliberate deviation): a device may retain only its status', async (t) => {
  const id = 'interop-retain';
  const secret = await node.provision(id);
  const status = JSON.stringify({ v: 1, online: true, t: now, firmwareVersion: '1.4.0' });
  const d = await session({ clientId: id, username: id, password: secret });
  await d.client.publishAsync(`anc/v1/${id}/status`, status, { qos: 1, retain: true });
  await d.client.endAsync();

  const watcher = await session({ ...asService(B), clean: true });
  t.same(await granted(watcher.client, [[`anc/v1/${id}/status`, 1]]), [1]);
  const [got] = await watcher.receive(1);
  t.same([got!.payload, got!.retain], [status, true], 'the retained status reaches a later subscriber');

  // Retaining anything else closes the connection and stores nothing.
  const bad = await session({ clientId: id, username: id, password: secret });
  bad.client.publish(`anc/v1/${id}/telemetry`, telemetry(7), { qos: 1, retain: true });
  await closedByServer(bad.client);
  t.same(await granted(watcher.client, [[`anc/v1/${id}/telemetry`, 1]]), [1]);
  t.same(
    (await flush(watcher.client, watcher, `anc/v1/${id}/telemetry`)).filter((m) => m.topic.endsWith('/telemetry')),
    [],
    'no telemetry was retained',
  );
});

t.test('offline message queueing: a persistent session receives what was published while it was away', async (t) => {
  await cleanSessions();
  const a = await session({ ...asService(A), clean: false });
  t.same(await granted(a.client, [[wildtopics[5], 2]]), [2]);
  await a.client.endAsync();

  const b = await session({ ...asService(B), clean: true });
  t.equal(b.connack.sessionPresent, false);
  await b.client.publishAsync(topics[1], 'qos 0', { qos: 0 });
  await b.client.publishAsync(topics[2], 'qos 1', { qos: 1 });
  await b.client.publishAsync(topics[3], 'qos 2', { qos: 2 });
  await b.client.endAsync();

  const back = await session({ ...asService(A), clean: false });
  t.equal(back.connack.sessionPresent, true, 'the session is present');
  await back.receive(2, (m) => m.qos > 0);
  const queued = await flush(back.client, back, 'marker/x');
  t.ok(queued.length === 2 || queued.length === 3, `2 or 3 messages (got ${queued.length})`);
  t.same(
    queued.filter((m) => m.qos > 0).map((m) => [m.topic, m.payload, m.qos]),
    [
      [topics[2], 'qos 1', 1],
      [topics[3], 'qos 2', 2],
    ],
  );
  t.comment(`this server ${queued.length === 3 ? 'queues' : 'does not queue'} QoS 0 messages for offline clients`);
  await back.client.endAsync();
  await cleanSessions();
});

t.test('redelivery on reconnect: unacknowledged QoS 1 and 2 messages are sent again to the resumed session', async (t) => {
  await cleanSessions();
  // bclient "paused": a raw connection that reads but never acknowledges.
  const paused = await rawService();
  t.equal(await rawConnack(paused, { clientId: B, username: service, password: adminKey.key, clean: false }), 0);
  paused.write(encodeSubscribe(1, [[wildtopics[6], 2]]));
  const suback = await paused.waitFor((p) => p.type === PACKET.suback, 5000, 'SUBACK');
  t.equal(suback.body[2], 2);
  const a = await session({ ...asService(A), clean: true });
  await a.client.publishAsync(topics[1], '', { qos: 1 });
  await a.client.publishAsync(topics[3], '', { qos: 2 });
  await paused.waitUntil(() => (paused.received.filter((p) => p.type === PACKET.publish).length >= 2 ? true : undefined), 5000, 'two PUBLISH');
  t.same(
    paused.received.filter((p) => p.type === PACKET.publish).map((p) => [publishTopic(p), (p.flags >> 1) & 3]),
    [
      [topics[1], 1],
      [topics[3], 2],
    ],
    'delivered once, not acknowledged',
  );
  paused.write(DISCONNECT);
  await paused.closed();

  const b = await session({ ...asService(B), clean: false });
  t.equal(b.connack.sessionPresent, true);
  const again = await b.receive(2);
  t.same(
    again.map((m) => [m.topic, m.qos]),
    [
      [topics[1], 1],
      [topics[3], 2],
    ],
  );
  // Paho counts only. Aedes 1.2 resends without the DUP flag (MQTT-3.3.1-1); documented deviation.
  t.comment(`DUP flags on redelivery: ${JSON.stringify(again.map((m) => m.dup))}`);
  t.equal((await flush(a.client, b, 'TopicA/marker')).length, 2, 'each message once');
  await cleanSessions();
});

t.test('overlapping subscriptions: one message at the highest QoS, or one per subscription', async (t) => {
  const a = await session({ ...asService(A), clean: true });
  t.same(
    await granted(a.client, [
      [wildtopics[6], 2],
      [wildtopics[0], 1],
    ]),
    [2, 1],
  );
  await a.client.publishAsync(topics[3], 'overlapping topic filters', { qos: 2 });
  await a.receive(1);
  const got = (await flush(a.client, a, 'TopicA/marker')).map((m) => m.qos).sort();
  t.ok(got.length === 1 || got.length === 2, `1 or 2 messages (got ${got.length})`);
  if (got.length === 1) t.same(got, [2], 'one message, at the highest QoS of the matching subscriptions (MQTT-3.3.5-1)');
  else t.same(got, [1, 2], 'one message per subscription, each at its QoS');
  t.comment(`this server publishes ${got.length === 1 ? 'one message for all' : 'one message per'} matching overlapping subscription`);
});

t.test('keepalive: a silent client is disconnected after 1.5 x keepalive and its will is published', async (t) => {
  const b = await session({ ...asService(B), clean: true });
  t.same(await granted(b.client, [[topics[4], 2]]), [2]);
  // aclient goes silent: a raw connection that never sends PINGREQ (Paho: keepalive 5 s; 1 s here).
  const silent = await rawService();
  const started = Date.now();
  t.equal(await rawConnack(silent, { clientId: A, username: service, password: adminKey.key, keepalive: 1, will: { topic: topics[4], payload: 'keepalive expiry', qos: 0 } }), 0);
  const [will] = await b.receive(1, () => true, 5000);
  await silent.closed();
  const elapsed = Date.now() - started;
  t.equal(will!.payload, 'keepalive expiry');
  t.ok(elapsed >= 1000, `not before the keepalive (${elapsed} ms)`);
  t.equal((await flush(b.client, b, topics[4])).length, 1, 'the will once');
});

t.test('keepalive (deliberate deviation): keepalive 0 and keepalives over 1200 s are refused with return code 6', async (t) => {
  // Paho's bclient connects with keepalive 0 (no timeout). Aedes' keepaliveLimit refuses it: a
  // fleet cannot keep half-open connections forever. 6 is reserved in MQTT 3.1.1; clients treat it as a refusal.
  for (const keepalive of [0, 1201]) {
    const raw = await rawService();
    t.equal(await rawConnack(raw, { clientId: B, username: service, password: adminKey.key, keepalive }), 6, `keepalive ${keepalive}`);
    await raw.closed();
  }
  const raw = await rawService();
  t.equal(await rawConnack(raw, { clientId: B, username: service, password: adminKey.key, keepalive: 1200 }), 0, 'keepalive 1200 is accepted');
  raw.write(DISCONNECT);
  await raw.closed();
});

t.test('zero-length client id: refused without a clean session (2), accepted with one (Aedes alone accepts both: moscajs/aedes#1095)', async (t) => {
  const id = 'interop-zero';
  const secret = await node.provision(id);
  for (const [who, username, password] of [
    ['service', service, adminKey.key as string],
    ['device', id, secret],
  ] as const) {
    const raw = await rawService();
    t.equal(await rawConnack(raw, { clientId: '', username, password, clean: false }), 2, `${who}: a persistent session needs a client id (MQTT-3.1.3-8)`);
    await raw.closed();
    const s = await session({ clientId: '', username, password, clean: true });
    t.equal(s.connack.returnCode, 0, `${who}: a clean session gets an assigned id`);
    const topic = who === 'device' ? `anc/v1/${id}/telemetry` : topics[0];
    t.same(await granted(s.client, [[topic, 1]]), [1]);
    await s.client.publishAsync(topic, who === 'device' ? telemetry(1) : 'zero', { qos: 1 });
    await s.receive(1);
    t.pass(`${who}: publishes and receives`);
    await s.client.endAsync();
  }
});

t.test('subscribe failure: a filter the client may not use gets SUBACK 0x80 and the connection stays up', async (t) => {
  const id = 'interop-subfail';
  const d = await session({ clientId: id, username: id, password: await node.provision(id) });
  t.same(
    await granted(d.client, [
      ['nosubscribe', 2],
      ['anc/v1/someone-else/#', 1],
      [`anc/v1/${id}/#`, 1],
      ['$SYS/#', 0],
    ]),
    [0x80, 0x80, 1, 0x80],
    'outside its subtree: 0x80, per filter',
  );
  const operator = (await node.api('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'interop-backend', role: 'operator' } })).json();
  const backend = await session({ clientId: `service:${operator.prefix}`, username: `service:${operator.prefix}`, password: operator.key });
  t.same(await granted(backend.client, [['nosubscribe', 2]]), [0x80], 'a backend service may not subscribe outside anc/v1/');
  t.same(await granted(backend.client, [['anc/v1/+/telemetry', 1]]), [1], 'and stays connected');
  t.ok(d.client.connected && backend.client.connected);
});

t.test('$ topics: wildcard-leading filters do not match $ topics; publishing to $ topics is refused', async (t) => {
  // Our broker refuses every client publish to a $ topic (Paho allows a server to), so the $
  // message is one the broker itself publishes: $SYS/<broker id>/new/subscribes on each SUBSCRIBE.
  const sys = await session({ ...asService(`${service}:sys`), clean: true });
  t.same(await granted(sys.client, [['$SYS/+/new/subscribes', 0]]), [0]);
  const b = await session({ ...asService(B), clean: true });
  t.same(
    await granted(b.client, [
      [wildtopics[5], 2],
      ['#', 2],
      ['+/+/+/+', 2],
    ]),
    [2, 2, 2],
  );
  await sys.receive(1, (m) => m.payload.includes(B));
  const seen = await flush(b.client, b, 'marker/x');
  t.same(
    seen.filter((m) => m.topic.startsWith('$')),
    [],
    'a $SYS message was published, and "#", "+/+" and "+/+/+/+" did not match it (MQTT-4.7.2-1)',
  );
  b.client.publish(`$${topics[1]}`, '', { qos: 1 });
  await closedByServer(b.client);
  t.pass('publishing to $TopicA/B closed the connection');
});

t.test('unsubscribe: messages stop for the filter unsubscribed, not for the others', async (t) => {
  const b = await session({ ...asService(B), clean: true });
  for (const topic of topics.slice(0, 3)) t.same(await granted(b.client, [[topic, 2]]), [2]);
  await b.client.unsubscribeAsync(topics[0]);
  const a = await session({ ...asService(A), clean: true });
  for (const topic of topics.slice(0, 3)) await a.client.publishAsync(topic, '', { qos: 1 });
  const got = await flush(a.client, b, topics[2]);
  t.same(
    got.map((m) => m.topic),
    [topics[1], topics[2]],
  );
});

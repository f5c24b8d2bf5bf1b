// Per-session offline queue limits with real MQTT clients (mqtt.js over TCP): a persistent
// session that goes away gets back only the newest messages, in order; clean sessions and
// sessions that are online are not affected.
import { once } from 'node:events';
import type { MqttClient } from 'mqtt';
import t from 'tap';
import { openPglite } from '../support/databases.ts';
import { nextMessage, startFleetNode } from '../support/fleet-node.ts';

const LIMIT = 5;
const { db, close } = await openPglite();
t.teardown(close);
const node = await startFleetNode(db, {
  brokerLimits: { connectRate: { ratePerSecond: 1000, burst: 1000 }, offlineQueue: { maxMessages: LIMIT, maxBytes: 1 << 20 } },
});
t.teardown(() => node.server.close());
const { broker } = node.server;

const clients: MqttClient[] = [];
t.teardown(() => {
  for (const c of clients) c.end(true);
});

async function connect(id: string, secret: string, clean: boolean): Promise<MqttClient> {
  const client = await node.connectDevice(id, secret, { clean });
  clients.push(client);
  return client;
}

/** Collects every message on `topic` until `count` have arrived (or fails after 5 s). */
function collect(client: MqttClient, topic: string, count: number): Promise<number[]> {
  const seen: number[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`got ${seen.length} of ${count} messages: ${seen.join(',')}`)), 5000);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      seen.push((JSON.parse(payload.toString()) as { n: number }).n);
      if (seen.length === count) finish();
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      client.off('message', onMessage);
      if (error) reject(error);
      else resolve(seen);
    };
    client.on('message', onMessage);
  });
}

const topicOf = (id: string) => `anc/v1/${id}/shadow/get/accepted`;
/** Provisions `id`, subscribes it at QoS 1 and disconnects it; resolves once the broker has seen it go. */
async function subscribedThenAway(id: string, clean: boolean): Promise<string> {
  const secret = await node.provision(id);
  const device = await connect(id, secret, clean);
  await device.subscribeAsync(topicOf(id), { qos: 1 });
  const gone = once(broker.aedes, 'clientDisconnect');
  await device.endAsync();
  await gone;
  return secret;
}

const dropped = async () => (await node.server.app.inject({ method: 'GET', url: '/metrics' })).body.match(/^fleet_mqtt_offline_dropped_total\{limit="messages"\} (\d+)/m)?.[1];

t.test('an offline persistent session gets exactly the newest messages back, in order', async (t) => {
  const id = 'queue-persistent';
  const secret = await subscribedThenAway(id, false);

  const published = LIMIT + 4;
  for (let n = 1; n <= published; n++) await broker.publish(topicOf(id), { n });
  t.equal(await dropped(), String(published - LIMIT), 'the drops are counted');

  const back = await connect(id, secret, false);
  const kept = collect(back, topicOf(id), LIMIT);
  t.same(await kept, [5, 6, 7, 8, 9], 'the oldest were dropped; the rest arrive in order');
  // Nothing else was queued: a marker published now is the very next message.
  const marker = nextMessage(back, topicOf(id));
  await broker.publish(topicOf(id), { n: -1 });
  t.same(await marker, { n: -1 });
});

t.test('online delivery is not limited, for persistent and clean sessions alike', async (t) => {
  for (const clean of [false, true]) {
    const id = `queue-online-${clean ? 'clean' : 'persistent'}`;
    const device = await connect(id, await node.provision(id), clean);
    await device.subscribeAsync(topicOf(id), { qos: 1 });
    const count = LIMIT * 4;
    const all = collect(device, topicOf(id), count);
    await Promise.all(Array.from({ length: count }, (_, i) => broker.publish(topicOf(id), { n: i + 1 })));
    t.same(await all, Array.from({ length: count }, (_, i) => i + 1), `${clean ? 'clean' : 'persistent'} session: all ${count}, in order`);
    await device.endAsync();
  }
});

t.test('a clean session queues nothing while away and is not touched by the limit', async (t) => {
  const id = 'queue-clean';
  const secret = await subscribedThenAway(id, true);
  const before = await dropped();
  for (let n = 1; n <= LIMIT * 2; n++) await broker.publish(topicOf(id), { n });
  t.equal(await dropped(), before, 'no drops: nothing was queued');
  const back = await connect(id, secret, true);
  await back.subscribeAsync(topicOf(id), { qos: 1 });
  const marker = nextMessage(back, topicOf(id));
  await broker.publish(topicOf(id), { n: -1 });
  t.same(await marker, { n: -1 }, 'the first message after reconnecting is the new one');
});

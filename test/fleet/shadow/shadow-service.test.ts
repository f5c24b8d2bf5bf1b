// Shadows end to end: MQTT get/update with replies on accepted/rejected, the delta on subscribe
// and on change, REST read/set-desired/history, and optimistic concurrency in the database
// (the compare-and-set runs on PGlite always and on PostgreSQL when TEST_DATABASE_URL is set).
import type { MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { insertDevice } from '../../../fleet/devices/device-repository.ts';
import { emptyShadow } from '../../../fleet/shadow/shadow-document.ts';
import { listShadowHistory, loadShadow, storeShadowIfVersion } from '../../../fleet/shadow/shadow-repository.ts';
import { createShadowService } from '../../../fleet/shadow/shadow-service.ts';
import { openPglite, openPostgres, postgresSkipReason, postgresUrl, type TestDatabase } from '../support/databases.ts';
import { nextMessage, startFleetNode } from '../support/fleet-node.ts';

const pglite = await openPglite();
t.teardown(pglite.close);
const { db } = pglite;
const node = await startFleetNode(db, { brokerLimits: { connectRate: { ratePerSecond: 1000, burst: 1000 } } });
t.teardown(() => node.server.close());

const id = 'hs-shadow';
const secret = await node.provision(id);
const topic = (leaf: string) => `anc/v1/${id}/${leaf}`;
let client: MqttClient;

t.before(async () => {
  client = await node.connectDevice(id, secret);
});
t.teardown(() => client.end(true));

async function update(payload: unknown, reply: 'accepted' | 'rejected') {
  const answer = nextMessage(client, topic(`shadow/update/${reply}`));
  await client.publishAsync(topic('shadow/update'), typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload), { qos: 1 });
  return answer;
}

t.test('update and get over MQTT, with replies on accepted', async (t) => {
  await client.subscribeAsync(topic('shadow/#'), { qos: 1 });
  const accepted = await update({ state: { reported: { ancMode: 'anc', intensity: 0.5, firmwareVersion: '1.4.0' } }, clientToken: 'r-1' }, 'accepted');
  t.match(accepted, { state: { reported: { ancMode: 'anc', intensity: 0.5 } }, version: 1, clientToken: 'r-1' });
  t.type(accepted.metadata.reported.intensity.timestamp, 'number');

  const got = nextMessage(client, topic('shadow/get/accepted'));
  await client.publishAsync(topic('shadow/get'), '', { qos: 1 });
  t.match(await got, { state: { desired: {}, reported: { ancMode: 'anc', intensity: 0.5, firmwareVersion: '1.4.0' } }, version: 1 });
  t.notOk((await loadShadow(db, id)).state.desired.intensity);
});

t.test('every bad request gets a reason on rejected; nothing is stored; the connection stays', async (t) => {
  const before = await loadShadow(db, id);
  const cases: Array<[unknown, number, RegExp]> = [
    ['{not json', 400, /not JSON/],
    [Buffer.from([0xff, 0xfe, 0x00]), 400, /UTF-8/],
    ['[1,2]', 400, /object/],
    [{ version: 1 }, 400, /missing required node: state/],
    [{ state: { desired: { intensity: 7 } } }, 400, /intensity/],
    [{ state: { desired: { ancMode: 'loud' } } }, 400, /ancMode: expected one of/],
    [{ state: { desired: { firmwareVersion: '2.0.0' } } }, 400, /firmwareVersion is reported/],
    [{ state: { reported: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } } }, 400, /nesting/],
    [JSON.parse('{"state":{"desired":{"__proto__":{"x":1}}}}'), 400, /__proto__/],
    [{ state: { desired: { intensity: 0.2 } }, version: 0 }, 409, /version conflict/],
    [{ state: { reported: { blob: 'x'.repeat(9000) } } }, 413, /limit/],
    ['x'.repeat(20_000), 413, /limit is 16384/],
  ];
  for (const [payload, code, message] of cases) {
    const rejection = await update(payload, 'rejected');
    t.equal(rejection.code, code, `${String(JSON.stringify(payload)).slice(0, 60)} -> ${code}`);
    t.match(rejection.message, message);
  }
  const token = await update({ state: { desired: { intensity: 2 } }, clientToken: 'bad-1' }, 'rejected');
  t.equal(token.clientToken, 'bad-1', 'the token is echoed on rejections');
  t.same(await loadShadow(db, id), before, 'nothing changed');
  t.ok(client.connected);
});

t.test('REST sets desired; the device gets the delta, reports, and the delta clears', async (t) => {
  const delta = nextMessage(client, topic('shadow/delta'));
  const res = await node.api('operator', { method: 'PATCH', url: `/api/v1/devices/${id}/shadow/desired`, payload: { desired: { intensity: 0.8, ancMode: 'anc' } } });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { state: { desired: { intensity: 0.8 }, delta: { intensity: 0.8 } }, version: 2 });
  const d = await delta;
  t.same(d.state, { intensity: 0.8 }, 'ancMode is already as desired, so only intensity is in the delta');
  t.equal(d.version, 2);

  await update({ state: { reported: { intensity: 0.8 } }, version: 2 }, 'accepted');
  const view = (await node.api('viewer', { url: `/api/v1/devices/${id}/shadow` })).json();
  t.equal(view.version, 3);
  t.notOk(view.state.delta, 'desired met: no delta');

  const stale = await node.api('operator', { method: 'PATCH', url: `/api/v1/devices/${id}/shadow/desired`, payload: { desired: { intensity: 0.1 }, version: 2 } });
  t.equal(stale.statusCode, 409);
  t.equal(stale.json().code, 'VERSION_CONFLICT');
  const invalid = await node.api('operator', { method: 'PATCH', url: `/api/v1/devices/${id}/shadow/desired`, payload: { desired: { intensity: 'max' } } });
  t.equal(invalid.statusCode, 400);
  t.match(invalid.json().message, /intensity/);
  t.equal((await node.api('viewer', { method: 'PATCH', url: `/api/v1/devices/${id}/shadow/desired`, payload: { desired: {} } })).statusCode, 403);
  t.equal((await node.api('viewer', { url: '/api/v1/devices/nope/shadow' })).statusCode, 404);
  t.equal((await node.api('operator', { method: 'PATCH', url: '/api/v1/devices/nope/shadow/desired', payload: { desired: { intensity: 1 } } })).statusCode, 404);
});

t.test('history: who changed what, when, newest first, in pages', async (t) => {
  const first = (await node.api('viewer', { url: `/api/v1/devices/${id}/shadow/history`, query: { limit: '2' } })).json();
  t.same(first.items.map((h: { version: number }) => h.version), [3, 2]);
  t.match(first.items[1], { actor: 'user:n-operator', change: { desired: { intensity: 0.8, ancMode: 'anc' } } });
  t.match(first.items[0], { actor: `device:${id}`, change: { reported: { intensity: 0.8 } } });
  const second = (await node.api('viewer', { url: `/api/v1/devices/${id}/shadow/history`, query: { limit: '2', cursor: first.nextCursor } })).json();
  t.same(second.items.map((h: { version: number }) => h.version), [1]);
  t.equal(second.nextCursor, null);
});

t.test('the delta is sent when a device (re)subscribes to it, if desired is unmet', async (t) => {
  await node.api('operator', { method: 'PATCH', url: `/api/v1/devices/${id}/shadow/desired`, payload: { desired: { algorithm: 'fxlms' } } });
  client.end(true);
  client = await node.connectDevice(id, secret);
  const delta = nextMessage(client, topic('shadow/delta'));
  await client.subscribeAsync(topic('shadow/delta'), { qos: 1 });
  t.same((await delta).state, { algorithm: 'fxlms' });
  await client.subscribeAsync(topic('shadow/#'), { qos: 1 });
});

async function compareAndSet(t: Test, open: () => Promise<TestDatabase>) {
  const { db, close } = await open();
  t.teardown(close);
  await insertDevice(db, { id: 'hs-cas', name: '', tags: [] });
  const next = { ...emptyShadow(), version: 1 };
  t.equal(await storeShadowIfVersion(db, 'hs-cas', 0, next, new Date()), true);
  t.equal(await storeShadowIfVersion(db, 'hs-cas', 0, next, new Date()), false, 'a second "first write" loses');
  t.equal(await storeShadowIfVersion(db, 'hs-cas', 1, { ...next, version: 2 }, new Date()), true);
  t.equal(await storeShadowIfVersion(db, 'hs-cas', 1, { ...next, version: 2 }, new Date()), false, 'a stale version loses');

  // Two writers racing with no version named: both land, one after the other, no update lost.
  const published: string[] = [];
  const service = createShadowService({ db, publish: async (topic) => void published.push(topic) });
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => service.update('hs-cas', { state: { reported: { [`k${i}`]: i } } }, { actor: `test:${i}`, reply: false })),
  );
  t.ok(results.every((r) => r.ok), 'every unversioned update lands');
  const doc = await loadShadow(db, 'hs-cas');
  t.equal(doc.version, 10);
  t.same(Object.keys(doc.state.reported).sort(), ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
  t.same((await listShadowHistory(db, 'hs-cas', { limit: 20 })).map((h) => h.version), [10, 9, 8, 7, 6, 5, 4, 3], 'one history row per version');

  // Racing writers naming the same version: exactly one wins, the others hear 409.
  const versioned = await Promise.all(
    Array.from({ length: 4 }, (_, i) => service.update('hs-cas', { state: { desired: { intensity: i / 4 } }, version: 10 }, { actor: 'race', reply: false })),
  );
  t.equal(versioned.filter((r) => r.ok).length, 1);
  t.same(versioned.filter((r) => !r.ok).map((r) => !r.ok && r.rejection.code), [409, 409, 409]);
}

t.test('compare-and-set on PGlite', (t) => compareAndSet(t, openPglite));
t.test('compare-and-set on PostgreSQL', { skip: postgresUrl ? false : postgresSkipReason }, (t) => compareAndSet(t, () => openPostgres(postgresUrl!)));

t.test('a delta that cannot be published does not undo or fail a stored update', async (t) => {
  await insertDevice(db, { id: 'hs-nopub', name: '', tags: [] });
  const failures: string[] = [];
  const service = createShadowService({
    db,
    publish: async () => {
      throw new Error('the broker bus is away');
    },
    onPublishFailed: (error, topic) => void failures.push(`${topic}: ${(error as Error).message}`),
  });
  const outcome = await service.update('hs-nopub', { state: { desired: { intensity: 0.9 } } }, { actor: 'test', reply: true });
  t.equal(outcome.ok, true, 'the update is accepted');
  t.same((await loadShadow(db, 'hs-nopub')).state.desired, { intensity: 0.9 }, 'and stored');
  t.same(failures, ['anc/v1/hs-nopub/shadow/update/accepted: the broker bus is away', 'anc/v1/hs-nopub/shadow/delta: the broker bus is away'], 'each lost message is reported');
});

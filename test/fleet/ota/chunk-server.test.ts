// Chunk serving as a device meets it: a whole fleet node (broker, REST, artifact store) on ports
// 0, a signed bundle uploaded over REST, and real mqtt.js clients logged in as provisioned devices
// asking for ranges on `ota/<artifact>/chunk/get`.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import t from 'tap';
import { createChunkServer } from '../../../fleet/ota/chunk-server.ts';
import { decodeChunk, OTA_LIMITS, type ChunkRejected } from '../../../fleet/ota/ota-messages.ts';
import { openPglite } from '../support/databases.ts';
import { nextMessage, startFleetNode } from '../support/fleet-node.ts';
import { scratchDir, signedBundle, trustedKeysOf, writeKeys } from '../artifacts/artifact-fixtures.ts';

const { db, close } = await openPglite();
t.teardown(close);
const scratch = scratchDir('anc-chunks-');
t.teardown(scratch.cleanup);
const release = writeKeys(scratch.dir, 'release');
const storeDir = join(scratch.dir, 'artifacts');

// Who may fetch what: stands in for the rollouts' job check.
const allowed = new Set<string>();
const node = await startFleetNode(db, {
  brokerLimits: { connectRate: { ratePerSecond: 1000, burst: 1000 } },
  artifacts: { dir: storeDir, trustedKeys: await trustedKeysOf(release) },
  mayFetch: async (deviceId, artifact) => allowed.has(`${deviceId}/${artifact}`),
});
t.teardown(() => node.server.close());

const clients: MqttClient[] = [];
t.teardown(() => {
  for (const c of clients) c.end(true);
});

// 40 000 bytes of model: two full 16 KiB chunks and a short one at the end.
const bundle = signedBundle(release, { modelBytes: 40_000 });
const artifact = createHash('sha256').update(bundle).digest('hex');
const uploaded = await node.server.app.inject({
  method: 'POST',
  url: '/api/v1/artifacts',
  headers: { authorization: `Bearer ${node.token('operator')}`, 'content-type': 'application/octet-stream' },
  payload: bundle,
});
if (uploaded.statusCode !== 201) throw new Error(`upload failed: ${uploaded.body}`);

type Reply = { kind: 'data'; offset: number; total: number; bytes: Buffer } | { kind: 'rejected'; body: ChunkRejected };

/** A device subscribed to its chunk replies, asking for one range at a time. */
async function device(id: string): Promise<{ client: MqttClient; ask(payload: unknown, artifactName?: string): Promise<Reply> }> {
  const client = await node.connectDevice(id, await node.provision(id));
  clients.push(client);
  await client.subscribeAsync(`anc/v1/${id}/ota/+/chunk/+`, { qos: 0 });
  return {
    client,
    ask(payload, artifactName = artifact) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          client.off('message', onMessage);
          reject(new Error(`no chunk reply within 5 s to ${JSON.stringify(payload)}`));
        }, 5000);
        const onMessage = (topic: string, message: Buffer, packet: { qos: number }) => {
          const prefix = `anc/v1/${id}/ota/${artifactName}/chunk/`;
          if (!topic.startsWith(prefix)) return;
          clearTimeout(timer);
          client.off('message', onMessage);
          if (packet.qos !== 0) return reject(new Error(`reply at QoS ${packet.qos}`));
          if (topic === `${prefix}data`) {
            const chunk = decodeChunk(message)!;
            resolve({ kind: 'data', offset: chunk.offset, total: chunk.total, bytes: Buffer.from(chunk.bytes) });
          } else {
            resolve({ kind: 'rejected', body: JSON.parse(message.toString()) as ChunkRejected });
          }
        };
        client.on('message', onMessage);
        client.publish(`anc/v1/${id}/ota/${artifactName}/chunk/get`, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 0 });
      });
    },
  };
}

const rejection = (reply: Reply) => (reply.kind === 'rejected' ? reply.body : undefined);

t.test('a device with a job downloads the whole bundle in chunks; the last one is short', async (t) => {
  const hs = await device('hs-fetch');
  allowed.add(`hs-fetch/${artifact}`);
  const parts: Buffer[] = [];
  let offset = 0;
  const sizes: number[] = [];
  while (offset < bundle.length) {
    const reply = await hs.ask({ offset, length: OTA_LIMITS.defaultChunkBytes });
    if (reply.kind !== 'data') throw new Error(`rejected: ${JSON.stringify(reply.body)}`);
    t.equal(reply.offset, offset);
    t.equal(reply.total, bundle.length, 'every chunk names the bundle size');
    parts.push(reply.bytes);
    sizes.push(reply.bytes.length);
    offset += reply.bytes.length;
  }
  t.same(Buffer.concat(parts), bundle, 'the served ranges are the stored file');
  t.equal(sizes.length, Math.ceil(bundle.length / OTA_LIMITS.defaultChunkBytes));
  t.equal(sizes.at(-1), bundle.length % OTA_LIMITS.defaultChunkBytes, 'the end-of-file chunk is short');

  const middle = await hs.ask({ offset: 12_345, length: 1 });
  t.same(middle.kind === 'data' && [...middle.bytes], [bundle[12_345]], 'any range, resumable from any byte');
  const largest = await hs.ask({ offset: 0, length: OTA_LIMITS.maxChunkBytes });
  t.same(largest.kind === 'data' && largest.bytes, bundle.subarray(0, OTA_LIMITS.maxChunkBytes), 'the largest chunk');
  t.ok(hs.client.connected);
});

t.test('bad requests are answered on chunk/rejected and the device stays connected', async (t) => {
  const hs = await device('hs-bad');
  allowed.add(`hs-bad/${artifact}`);
  const cases: Array<[string, unknown, ChunkRejected['code'], number]> = [
    ['not JSON', '{offset: 0', 'bad-request', 0],
    ['not an object', '[1, 2]', 'bad-request', 0],
    ['length 0', { offset: 0, length: 0 }, 'bad-request', 0],
    ['length over the maximum', { offset: 16, length: OTA_LIMITS.maxChunkBytes + 1 }, 'bad-request', 16],
    ['negative offset', { offset: -1, length: 10 }, 'bad-request', 0],
    ['fractional offset', { offset: 1.5, length: 10 }, 'bad-request', 0],
    ['unknown field', { offset: 0, length: 10, clientToken: 'x' }, 'bad-request', 0],
    ['offset at the end', { offset: bundle.length, length: 10 }, 'out-of-range', bundle.length],
    ['offset past the end', { offset: 10_000_000, length: 10 }, 'out-of-range', 10_000_000],
  ];
  for (const [what, payload, code, offset] of cases) {
    const body = rejection(await hs.ask(payload));
    t.equal(body?.code, code, what);
    t.equal(body?.offset, offset, `${what}: offset echoed`);
    t.ok(body && body.reason.length > 0 && body.reason.length <= OTA_LIMITS.maxReasonLength, `${what}: ${body?.reason}`);
  }
  const oversized = rejection(await hs.ask(JSON.stringify({ offset: 0, length: 1, pad: 'x'.repeat(2000) })));
  t.equal(oversized?.code, 'bad-request', 'a payload over 1 KiB');
  t.ok(hs.client.connected, 'still connected after every refusal');
  t.equal((await hs.ask({ offset: 0, length: 8 })).kind, 'data', 'and still served');
});

t.test('unknown artifacts and devices without a job are refused', async (t) => {
  const hs = await device('hs-nojob');
  const noJob = rejection(await hs.ask({ offset: 0, length: 100 }));
  t.equal(noJob?.code, 'no-job');
  t.match(noJob?.reason, /no unfinished job/);

  allowed.add(`hs-nojob/${'ab'.repeat(32)}`);
  t.equal(rejection(await hs.ask({ offset: 0, length: 100 }, 'ab'.repeat(32)))?.code, 'unknown-artifact', 'a hash that is not stored');
  t.equal(rejection(await hs.ask({ offset: 0, length: 100 }, 'firmware-1'))?.code, 'unknown-artifact', 'a name that is no SHA-256');

  // Another device's job does not let this one fetch.
  allowed.add(`hs-other/${artifact}`);
  t.equal(rejection(await hs.ask({ offset: 0, length: 100 }))?.code, 'no-job');
});

t.test('a stored file gone from disk is reported, not crashed on', async (t) => {
  const other = signedBundle(release, { version: '2.0.0', seed: 9, modelBytes: 1000 });
  const otherId = createHash('sha256').update(other).digest('hex');
  const res = await node.server.app.inject({ method: 'POST', url: '/api/v1/artifacts', headers: { authorization: `Bearer ${node.token('operator')}`, 'content-type': 'application/octet-stream' }, payload: other });
  t.equal(res.statusCode, 201);
  rmSync(join(storeDir, `${otherId}.ancb`));
  const hs = await device('hs-lost');
  allowed.add(`hs-lost/${otherId}`);
  t.equal(rejection(await hs.ask({ offset: 0, length: 100 }, otherId))?.code, 'unknown-artifact');
  t.ok(hs.client.connected);
});

t.test('by default the rollouts decide: a device without a job is refused', async (t) => {
  const own = scratchDir('anc-chunks-default-');
  t.teardown(own.cleanup);
  // A second node on the same database (so the artifact is known) with no mayFetch given.
  const plain = await startFleetNode(db, { artifacts: { dir: own.dir, trustedKeys: [] } }, 'plain');
  t.teardown(() => plain.server.close());
  const id = 'hs-default';
  const client = await plain.connectDevice(id, await node.provision(id));
  clients.push(client);
  await client.subscribeAsync(`anc/v1/${id}/ota/+/chunk/+`, { qos: 0 });
  const reply = nextMessage(client, `anc/v1/${id}/ota/${artifact}/chunk/rejected`);
  client.publish(`anc/v1/${id}/ota/${artifact}/chunk/get`, JSON.stringify({ offset: 0, length: 10 }), { qos: 0 });
  t.equal(((await reply) as ChunkRejected).code, 'no-job');
});

t.test('a read that fails answers unavailable and is reported (fake store)', async (t) => {
  const published: Array<[string, string]> = [];
  const failures: unknown[] = [];
  const server = createChunkServer({
    store: { read: async () => Promise.reject(new Error('EIO: disk on fire')) },
    repository: { get: async () => ({ size: 100 }) },
    publish: async (topic, payload) => void published.push([topic, payload.toString()]),
    mayFetch: async () => true,
    onError: (error) => failures.push(error),
  });
  t.equal(await server.handle('hs-x', artifact, Buffer.from('{"offset":0,"length":10}')), 'unavailable');
  t.equal(published.length, 1);
  t.equal(published[0]![0], `anc/v1/hs-x/ota/${artifact}/chunk/rejected`);
  t.match(JSON.parse(published[0]![1]), { offset: 0, code: 'unavailable', reason: /retry later/ });
  t.match(failures, [{ message: /disk on fire/ }], 'the cause goes to the log, not to the device');
});

t.test('the size of an artifact is looked up once, not per chunk (fake store)', async (t) => {
  let lookups = 0;
  const content = Buffer.from('0123456789');
  const server = createChunkServer({
    store: { read: async (_id, offset, length) => content.subarray(offset, offset + length) },
    repository: { get: async () => (lookups++, { size: content.length }) },
    publish: async () => undefined,
    mayFetch: async () => true,
  });
  for (const offset of [0, 4, 8]) t.equal(await server.handle('hs-x', artifact, Buffer.from(JSON.stringify({ offset, length: 4 }))), 'served');
  t.equal(await server.handle('hs-x', artifact, Buffer.from('{"offset":10,"length":4}')), 'out-of-range');
  t.equal(lookups, 1);
});

// The end-to-end checks with the virtual headsets of `anc-sim fleet`: a real fleet node
// (broker, artifact store with a trusted key, rollout service) on PGlite, signed model bundles
// uploaded over REST, and virtual headsets running the real firmware and OTA agent. Every wait is
// on an evaluation of the rollout or an event, with a deadline.
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import t from 'tap';
import { loadTrustedKeys } from '../../../fleet/artifacts/trusted-keys.ts';
import { getScenario } from '../../../simulator/scenarios/index.ts';
import type { DeviceCredential } from '../../../simulator/fleet/device-credentials.ts';
import { ManualClock } from '../../../simulator/fleet/manual-clock.ts';
import type { PowerState } from '../../../simulator/fleet/headset-power.ts';
import { failingDevices, type FleetFaults } from '../../../simulator/fleet/ota-faults.ts';
import { startVirtualFleet, type VirtualFleet } from '../../../simulator/fleet/virtual-fleet.ts';
import type { HeadsetTransport, VirtualHeadset } from '../../../simulator/fleet/virtual-headset.ts';
import { scratchDir } from '../artifacts/artifact-fixtures.ts';
import { openPglite } from '../support/databases.ts';
import { eventually, startFleetNode } from '../support/fleet-node.ts';
import { rolloutDriver, within } from './rollout-driver.ts';
import { modelBundle, signingKeys, strangerKeys } from '../../simulator/fleet/ota-script.ts';

const scratch = scratchDir('anc-ota-e2e-');
t.teardown(() => scratch.cleanup());
// The server trusts the release key and a second one the headsets do not: a bundle signed with
// the second passes upload and is refused by the devices. A third key is trusted by nobody.
const keyPath = join(scratch.dir, 'release.pub');
writeFileSync(keyPath, signingKeys.publicKey.export({ type: 'spki', format: 'pem' }));
const otherKeyPath = join(scratch.dir, 'other.pub');
writeFileSync(otherKeyPath, strangerKeys.publicKey.export({ type: 'spki', format: 'pem' }));
const nobodysKeys = generateKeyPairSync('ed25519');
const { db, close } = await openPglite();
t.teardown(close);
// Ten headsets connect from 127.0.0.1 at once: lift the per-address connect rate.
const node = await startFleetNode(db, { rolloutTickMs: 50, brokerLimits: { connectRate: { ratePerSecond: 10_000, burst: 10_000 } }, artifacts: { dir: join(scratch.dir, 'artifacts'), trustedKeys: await loadTrustedKeys({ files: [keyPath, otherKeyPath] }) } }, 'e2e');
const { upload, rollout, waitForRollout } = rolloutDriver(node, 60_000);
t.teardown(() => node.server.close());

/** Provisions `count` hp-1 devices running model 1.0.0, tagged `tag`, and starts their headsets. */
async function headsets(tag: string, count: number, faults?: FleetFaults, extra: { power?: Partial<PowerState>; reconnectPeriod?: number; connect?: HeadsetTransport['connect'] } = {}): Promise<{ fleet: VirtualFleet; ids: string[] }> {
  const credentials: DeviceCredential[] = [];
  for (let i = 0; i < count; i++) {
    const deviceId = `${tag}-${i}`;
    credentials.push({ deviceId, secret: await node.provision(deviceId, { hardwareRevision: 'hp-1', modelVersion: '1.0.0', tags: [tag] }) });
  }
  const fleet = startVirtualFleet({
    credentials,
    transport: { url: node.mqttUrl, options: { reconnectPeriod: extra.reconnectPeriod ?? 0 }, connect: extra.connect },
    clock: new ManualClock(),
    scenario: getScenario('tone'),
    duty: 0,
    connectBurst: 1000,
    power: extra.power,
    modelVersion: '1.0.0',
    ota: { trustedKeys: [signingKeys.publicKey], hardwareRevision: 'hp-1' },
    faults,
  });
  const firstReport = (h: VirtualHeadset) => (h.stats.reportsAccepted > 0 ? Promise.resolve() : once(h, 'reported').then(() => {}));
  await within(Promise.all(fleet.headsets.map(firstReport)), 20_000, 'first reports');
  return { fleet, ids: credentials.map((c) => c.deviceId) };
}

async function reportedModel(id: string): Promise<string | undefined> {
  return (await node.api('viewer', { url: `/api/v1/devices/${id}/shadow` })).json().state.reported.modelVersion;
}

/** The headset reports what it runs after its job's outcome: wait for that report to be stored. */
function reportsModel(id: string, version: string): Promise<boolean> {
  return eventually(async () => (await reportedModel(id)) === version, 20_000, `${id} reports model ${version}`).catch(() => false);
}

t.test('a rollout completes wave by wave and every headset reports the new model in its shadow', async (t) => {
  const uploaded = await upload(modelBundle('2.0.0'));
  t.equal(uploaded.statusCode, 201, 'uploaded');
  const { fleet, ids } = await headsets('wave', 10);
  t.teardown(() => fleet.stop());
  const created = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { artifact: uploaded.json().id, target: { tag: 'wave' }, waves: [{ percent: 10 }, { percent: 50 }, { percent: 100 }] } });
  t.equal(created.statusCode, 201, 'rollout created');
  const seen: number[] = [];
  const done = await waitForRollout(created.json().id, (r) => {
    if (seen.at(-1) !== r.currentWave) seen.push(r.currentWave);
    return r.status === 'completed';
  }, 'completed');
  t.same(done.waves.map((w: { size: number; states: unknown }) => [w.size, w.states]), [[1, { succeeded: 1 }], [4, { succeeded: 4 }], [5, { succeeded: 5 }]]);
  t.same(seen, [...seen].sort(), `waves advanced in order (${seen.join(' → ')})`);
  for (const id of ids) t.ok(await reportsModel(id, '2.0.0'), `${id} reports model 2.0.0 in its shadow`);
});

t.test('a bundle that makes 30% fail stops at the first wave that breaks its threshold; every headset still runs a working model', async (t) => {
  const uploaded = await upload(modelBundle('2.1.0'));
  t.equal(uploaded.statusCode, 201, 'uploaded');
  const { fleet, ids } = await headsets('fail', 10, { failBundle: { bundle: '2.1.0', share: 0.3, seed: 1 } });
  t.teardown(() => fleet.stop());
  const failing = failingDevices(ids, 0.3, 1);
  const created = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { artifact: uploaded.json().id, target: { tag: 'fail' }, waves: [{ percent: 10 }, { percent: 50 }, { percent: 100 }], maxFailureRate: 0.1, onBreach: 'abort' } });
  t.equal(created.statusCode, 201, 'rollout created');
  const id = created.json().id;
  const members = await db.selectFrom('rollout_devices').select(['device_id', 'wave']).where('rollout_id', '=', id).execute();
  const firstBreaking = Math.min(...members.filter((m) => failing.has(m.device_id)).map((m) => m.wave!));
  const aborted = await waitForRollout(id, (r) => r.status === 'aborted' && !r.states.notified && !r.states.downloading && !r.states.verifying && !r.states.applying, 'aborted and settled');
  t.match(aborted.statusReason, new RegExp(`^wave ${firstBreaking + 1}: `), `stopped at wave ${firstBreaking + 1}, the first holding a failing device`);
  for (const w of aborted.waves.slice(firstBreaking + 1)) t.same(w.states, {}, `wave ${w.index + 1} never started`);
  for (const deviceId of ids) {
    const wave = members.find((m) => m.device_id === deviceId)!.wave!;
    const expected = wave <= firstBreaking && !failing.has(deviceId) ? '2.1.0' : '1.0.0';
    t.ok(await reportsModel(deviceId, expected), `${deviceId} (wave ${wave + 1}${failing.has(deviceId) ? ', failing' : ''}) runs ${expected}`);
  }
});

t.test('offline headsets pick up their job when they connect', async (t) => {
  const uploaded = await upload(modelBundle('2.2.0'));
  const ids = ['late-0', 'late-1'];
  const credentials: DeviceCredential[] = [];
  for (const deviceId of ids) credentials.push({ deviceId, secret: await node.provision(deviceId, { hardwareRevision: 'hp-1', modelVersion: '1.0.0', tags: ['late'] }) });
  const created = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { artifact: uploaded.json().id, target: { tag: 'late' }, waves: [{ percent: 100 }] } });
  const id = created.json().id;
  await waitForRollout(id, (r) => r.states.queued === 2, 'jobs queued while offline');
  const fleet = startVirtualFleet({ credentials, transport: { url: node.mqttUrl, options: { reconnectPeriod: 0 } }, clock: new ManualClock(), scenario: getScenario('tone'), duty: 0, modelVersion: '1.0.0', ota: { trustedKeys: [signingKeys.publicKey] } });
  t.teardown(() => fleet.stop());
  await waitForRollout(id, (r) => r.status === 'completed', 'completed after connect');
  for (const deviceId of ids) t.ok(await reportsModel(deviceId, '2.2.0'), `${deviceId} reports model 2.2.0`);
});

t.test('a headset that goes offline before the rollout reaches it gets its job, and completes it, when it reconnects', async (t) => {
  const uploaded = await upload(modelBundle('2.6.0'));
  // The test holds each headset's MQTT client, to drop one and bring it back (the same headset, as after a lost link).
  const clients = new Map<string, MqttClient>();
  const connect: HeadsetTransport['connect'] = (url, options) => {
    const client = mqtt.connect(url, options);
    clients.set(options.clientId!, client);
    return client;
  };
  const { fleet, ids } = await headsets('away', 3, undefined, { connect });
  t.teardown(() => fleet.stop());
  const awayId = ids[2]!;
  const away = fleet.headsets[2]!;
  await clients.get(awayId)!.endAsync();
  await eventually(async () => (await node.api('viewer', { url: `/api/v1/devices/${awayId}` })).json().online === false, 10_000, `${awayId} offline`);

  const created = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { artifact: uploaded.json().id, target: { tag: 'away' }, waves: [{ percent: 100 }] } });
  const id = created.json().id;
  await waitForRollout(id, (r) => r.states.succeeded === 2 && r.states.queued === 1, 'the two online headsets done, the offline one queued');
  await node.server.rollouts.tick();
  t.same((await rollout(id)).states, { succeeded: 2, queued: 1 }, 'the offline headset\'s job waits');
  t.equal(away.stats.otaRequests, 0, 'it was never sent');

  clients.get(awayId)!.reconnect();
  const done = await waitForRollout(id, (r) => r.status === 'completed', 'completed after the reconnect');
  t.same(done.states, { succeeded: 3 });
  t.equal(away.stats.connects, 2, 'the same headset, connected again');
  t.equal(away.stats.otaSucceeded, 1, 'it installed the bundle');
  const [job] = (await node.api('viewer', { url: `/api/v1/devices/${awayId}/jobs` })).json().items;
  t.same(job.history.map((h: { state: string }) => h.state).filter((s: string, i: number, all: string[]) => s !== all[i - 1]), ['queued', 'notified', 'downloading', 'verifying', 'applying', 'succeeded'], 'queued while offline, then the whole job');
  t.ok(await reportsModel(awayId, '2.6.0'), `${awayId} reports model 2.6.0`);
});

t.test('an unsafe device state defers dispatch until the device says it is safe', async (t) => {
  const uploaded = await upload(modelBundle('2.4.0'));
  const { fleet, ids } = await headsets('lowbat', 1, undefined, { power: { battery: 15, charging: false, inCall: false, ancSession: 'idle' } });
  t.teardown(() => fleet.stop());
  const created = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { artifact: uploaded.json().id, target: { tag: 'lowbat' }, waves: [{ percent: 100 }], safety: { minBattery: 50, chargingOverridesBattery: true, ancSessionIdle: true } } });
  const id = created.json().id;
  await waitForRollout(id, (r) => r.states.queued === 1, 'job queued');
  await node.server.rollouts.tick();
  t.same((await rollout(id)).states, { queued: 1 }, 'battery 15%: the job waits');
  // The user plugs the headset in: it reports charging, and the job goes.
  fleet.headsets[0]!.setPower({ charging: true });
  const done = await waitForRollout(id, (r) => r.status === 'completed', 'completed once charging');
  t.same(done.states, { succeeded: 1 });
  t.ok(await reportsModel(ids[0]!, '2.4.0'), 'reports model 2.4.0');
});

t.test('a download interrupted by a disconnect resumes from its offset', async (t) => {
  const bundle = modelBundle('2.5.0');
  const uploaded = await upload(bundle);
  // Small chunks, and the link drops after a third of the bundle (whatever the model's size).
  const dropAt = Math.floor(bundle.length / 3);
  const { fleet, ids } = await headsets('resume', 1, { disconnectAfterBytes: dropAt }, { reconnectPeriod: 100 });
  t.teardown(() => fleet.stop());
  const created = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { artifact: uploaded.json().id, target: { tag: 'resume' }, waves: [{ percent: 100 }], chunkSize: 256 } });
  await waitForRollout(created.json().id, (r) => r.status === 'completed', 'completed after the reconnect');
  const history = (await node.api('viewer', { url: `/api/v1/devices/${ids[0]}/jobs` })).json().items[0].history;
  const offsets = history.filter((h: { state: string }) => h.state === 'downloading').map((h: { offset: number }) => h.offset);
  t.ok(offsets.some((o: number) => o >= dropAt && o < bundle.length), `a downloading report after the reconnect holds ${offsets.join(', ')} of ${bundle.length} bytes`);
  t.ok(fleet.totals().otaBytes < bundle.length * 1.5, `fetched ${fleet.totals().otaBytes} bytes for a ${bundle.length}-byte bundle: not from 0 again`);
  t.ok(await reportsModel(ids[0]!, '2.5.0'), 'reports model 2.5.0');
});

t.test('a tampered or wrongly signed bundle is refused at upload, and by the device', async (t) => {
  const tampered = Buffer.from(modelBundle('2.3.0'));
  tampered[tampered.length - 10]! ^= 0xff;
  const refused = await upload(tampered);
  t.equal(refused.statusCode, 422);
  t.match(refused.json().code, /^BUNDLE_/);
  const nobodys = await upload(modelBundle('2.3.0', { key: nobodysKeys.privateKey }));
  t.equal(nobodys.statusCode, 422);
  t.equal(nobodys.json().code, 'BUNDLE_UNKNOWN_KEY');

  // Signed by a key the server trusts and the headsets do not.
  const other = await upload(modelBundle('2.3.0', { key: strangerKeys.privateKey }));
  t.equal(other.statusCode, 201);
  const { fleet, ids } = await headsets('untrusted', 1);
  t.teardown(() => fleet.stop());
  const created = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { artifact: other.json().id, target: { tag: 'untrusted' }, waves: [{ percent: 100 }], onBreach: 'abort' } });
  const aborted = await waitForRollout(created.json().id, (r) => r.status === 'aborted', 'aborted');
  t.same(aborted.states, { failed: 1 });
  const job = (await node.api('viewer', { url: `/api/v1/devices/${ids[0]}/jobs` })).json().items[0];
  t.match(job.reason, /^unknown-key/, `the device refused it: ${job.reason}`);
  t.equal(await reportedModel(ids[0]!), '1.0.0', 'and still runs its model');
});

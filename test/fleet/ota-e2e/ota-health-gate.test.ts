// The health-gate check end to end: a model that installs fine but makes the module cancel
// 3 dB worse (the headsets' `degradeBundle` fault, through the running module, measured in the
// telemetry they publish) is caught by the gate against the holdout, and the cohort is rolled
// back. A node of its own, because the server and the headsets share one ManualClock: the gate's
// window, the samples' times and the acoustics all move only when the test advances it, one
// second at a time, each step waiting for every headset's telemetry to be stored (acknowledged).
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadTrustedKeys } from '../../../fleet/artifacts/trusted-keys.ts';
import { getScenario } from '../../../simulator/scenarios/index.ts';
import type { DeviceCredential } from '../../../simulator/fleet/device-credentials.ts';
import { ManualClock } from '../../../simulator/fleet/manual-clock.ts';
import { startVirtualFleet } from '../../../simulator/fleet/virtual-fleet.ts';
import type { VirtualHeadset } from '../../../simulator/fleet/virtual-headset.ts';
import { scratchDir } from '../artifacts/artifact-fixtures.ts';
import { openPglite } from '../support/databases.ts';
import { eventually, startFleetNode } from '../support/fleet-node.ts';
import { rolloutDriver, within } from './rollout-driver.ts';
import { modelBundle, moduleModelVersion, signingKeys } from '../../simulator/fleet/ota-script.ts';

const scratch = scratchDir('anc-ota-gate-');
t.teardown(() => scratch.cleanup());
const keyPath = join(scratch.dir, 'release.pub');
writeFileSync(keyPath, signingKeys.publicKey.export({ type: 'spki', format: 'pem' }));
const clock = new ManualClock();
const { db, close } = await openPglite();
t.teardown(close);
const node = await startFleetNode(db, { clock: () => clock.now(), rolloutTickMs: 50, brokerLimits: { connectRate: { ratePerSecond: 10_000, burst: 10_000 } }, artifacts: { dir: join(scratch.dir, 'artifacts'), trustedKeys: await loadTrustedKeys({ files: [keyPath] }) } }, 'gate');
const { upload, rollout, waitForRollout } = rolloutDriver(node, 30_000);
t.teardown(() => node.server.close());

async function createRollout(body: Record<string, unknown>): Promise<any> {
  const res = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: body });
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function uploadId(bytes: Uint8Array): Promise<string> {
  const res = await upload(bytes);
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** One second for everybody: every headset runs 10 acoustic steps and publishes one batch, stored before this resolves. */
async function second(headsets: readonly VirtualHeadset[]): Promise<void> {
  const stored = Promise.all(headsets.map((h) => once(h, 'telemetry-acked')));
  clock.advance(1000);
  await within(stored, 10_000, 'a second of telemetry stored');
}

async function reportedModel(id: string): Promise<string | undefined> {
  return (await node.api('viewer', { url: `/api/v1/devices/${id}/shadow` })).json().state.reported.modelVersion;
}

t.test('a model that installs fine but lowers attenuation by 3 dB is caught by the health gate and rolled back across the cohort', async (t) => {
  const ids = Array.from({ length: 5 }, (_, i) => `gate-${i}`);
  const credentials: DeviceCredential[] = [];
  for (const deviceId of ids) credentials.push({ deviceId, secret: await node.provision(deviceId, { hardwareRevision: 'hp-1', modelVersion: '1.0.0', tags: ['gate'] }) });
  const fleet = startVirtualFleet({
    credentials,
    transport: { url: node.mqttUrl, options: { reconnectPeriod: 0 } },
    clock,
    scenario: getScenario('tone'),
    duty: 1, // every headset runs its acoustics on every tick: 10 samples a second each
    connectBurst: 1000,
    modelVersion: '1.0.0',
    ota: { trustedKeys: [signingKeys.publicKey], hardwareRevision: 'hp-1' },
    faults: { degradeBundle: { bundle: '5.1.0', lossDb: 3 } },
  });
  t.teardown(() => fleet.stop());
  const { headsets } = fleet;
  await within(Promise.all(headsets.map((h) => once(h.ota, 'ready'))), 20_000, 'headsets ready');
  const byId = new Map(headsets.map((h) => [h.deviceId, h]));

  // Every headset first runs a working model, 5.0.0, so "the previous version" is a real model in the module.
  const working = await createRollout({ artifact: await uploadId(modelBundle('5.0.0')), target: { tag: 'gate' }, waves: [{ percent: 100 }] });
  await waitForRollout(working.id, (r) => r.status === 'completed', '5.0.0 everywhere');
  // The modules converge, and measure what they attenuate (the fault needs 3 s of measure).
  for (let s = 0; s < 4; s++) await second(headsets);

  const degrading = await createRollout({
    artifact: await uploadId(modelBundle('5.1.0')),
    target: { tag: 'gate' },
    waves: [{ percent: 100 }],
    healthGate: { windowMs: 2000, holdoutPercent: 40, minSamples: 20 },
  });
  t.equal(degrading.holdoutDevices, 2, 'two headsets stay on 5.0.0 as the holdout');
  const members = await db.selectFrom('rollout_devices').select(['device_id', 'role']).where('rollout_id', '=', degrading.id).execute();
  const cohort = members.filter((m) => m.role === 'wave').map((m) => m.device_id).sort();
  const holdout = members.filter((m) => m.role === 'holdout').map((m) => m.device_id).sort();
  t.equal(cohort.length, 3, `cohort ${cohort.join(', ')}; holdout ${holdout.join(', ')}`);
  // The first wave installs fine: the gate's window starts.
  await waitForRollout(degrading.id, (r) => r.waves[0].states.succeeded === 3 && r.gateStartedAt != null, 'first wave installed, gate window open');
  for (const id of cohort) {
    const h = byId.get(id)!;
    t.ok(moduleModelVersion(h.runtime.firmware.status()) === '5.1.0' && h.settings.current().intensity < 1, `${id} runs 5.1.0, at intensity ${h.settings.current().intensity.toFixed(3)}`);
  }

  // Time passes one second at a time until the gate has judged its window (2 s, and the tick after it).
  let r = await rollout(degrading.id);
  for (let s = 0; s < 10 && r.status === 'running'; s++) {
    await second(headsets);
    await node.server.rollouts.tick();
    r = await rollout(degrading.id);
  }
  t.equal(r.status, 'aborted', `the gate stopped the rollout: ${r.statusReason}`);
  t.match(r.statusReason, /^health gate: attenuationDb /);
  t.equal(r.gate.kind, 'regression');
  const finding = r.gate.findings.find((f: { metric: string }) => f.metric === 'attenuationDb');
  const loss = finding.holdout - finding.cohort;
  t.ok(loss > 2 && loss < 4, `cohort ${finding.cohort.toFixed(2)} dB vs holdout ${finding.holdout.toFixed(2)} dB: ${loss.toFixed(2)} dB worse`);
  t.same(r.gate.findings.filter((f: { regressed: boolean }) => f.regressed).map((f: { metric: string }) => f.metric), ['attenuationDb'], 'only the attenuation regressed');

  // Every updated headset is rolled back to the model it ran before; the holdout never moved.
  const done = await waitForRollout(degrading.id, (x) => x.waves[0].rollbacks.rolled_back === 3, 'cohort rolled back');
  t.same(done.waves[0].rollbacks, { rolled_back: 3 });
  t.same(done.waves.at(-1).states, {}, 'the holdout was never released');
  for (const id of cohort) {
    const h = byId.get(id)!;
    const [latest] = (await node.api('viewer', { url: `/api/v1/devices/${id}/jobs` })).json().items;
    t.match(latest, { action: 'rollback', state: 'rolled_back' }, `${id}: its rollback job ended rolled_back`);
    t.ok(await eventually(async () => (await reportedModel(id)) === '5.0.0', 10_000, `${id} reports 5.0.0`).catch(() => false), `${id}: the shadow says 5.0.0 again`);
    t.equal(moduleModelVersion(h.runtime.firmware.status()), '5.0.0', `${id}: the module runs model 5.0.0 again`);
    t.equal(h.settings.current().intensity, 1, `${id}: at its intensity before`);
  }
  for (const id of holdout) {
    t.equal(moduleModelVersion(byId.get(id)!.runtime.firmware.status()), '5.0.0', `${id} (holdout) still runs 5.0.0`);
    t.equal(byId.get(id)!.stats.otaRolledBack, 0);
  }
});

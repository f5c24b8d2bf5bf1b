// The rollout service end to end on the server side: real broker, real mqtt.js devices (scripted
// job answers), PGlite (and PostgreSQL when TEST_DATABASE_URL is set). Every wait is on an event
// or a database state with a deadline; the service ticks every 25 ms.
import t from 'tap';
import type { Kysely } from 'kysely';
import type { Database } from '../../../fleet/db/database.ts';
import { openPglite, openPostgres, postgresSkipReason, postgresUrl, type TestDatabase } from '../support/databases.ts';
import { startFleetNode, type FleetNode } from '../support/fleet-node.ts';
import { ScriptedDevice, insertArtifact, scriptedFleet } from './scripted-device.ts';

const TICK_MS = 25;

async function rolloutState(node: FleetNode, id: string) {
  const res = await node.api('viewer', { url: `/api/v1/rollouts/${id}` });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json();
}

/** Re-reads the rollout after each evaluation until `test` holds; no polling loop. */
function waitForRollout(node: FleetNode, id: string, test: (r: any) => boolean, what: string, ms = 30_000): Promise<any> {
  return new Promise((resolve, reject) => {
    let busy = false;
    let again = false;
    const finish = (error: Error | null, value?: unknown) => {
      clearTimeout(timer);
      unsubscribe();
      if (error) reject(error);
      else resolve(value);
    };
    const check = async (): Promise<void> => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        const r = await rolloutState(node, id);
        if (test(r)) return finish(null, r);
      } catch (error) {
        return finish(error as Error);
      } finally {
        busy = false;
      }
      if (again) {
        again = false;
        void check();
      }
    };
    const timer = setTimeout(() => finish(new Error(`rollout ${id}: ${what} not reached within ${ms} ms`)), ms);
    const unsubscribe = node.server.rollouts.onEvaluated((evaluated) => evaluated === id && void check());
    void check();
  });
}

function waitForStatus(node: FleetNode, id: string, status: string, ms?: number) {
  return waitForRollout(node, id, (r) => r.status === status, status, ms);
}

async function create(node: FleetNode, body: Record<string, unknown>) {
  const res = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: body });
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function wavesOf(db: Kysely<Database>, rolloutId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('rollout_devices').select(['device_id', 'wave']).where('rollout_id', '=', rolloutId).where('role', '!=', 'skipped').execute();
  return new Map(rows.map((r) => [r.device_id, r.wave!]));
}

function closeAll(devices: Iterable<ScriptedDevice>) {
  return Promise.all([...devices].map((d) => d.client.endAsync()));
}

/** Devices publish telemetry back to back (each batch waits for its PUBACK) until stopped. */
function telemetryFeed(devices: ScriptedDevice[], attenuation: (d: ScriptedDevice) => number): { stop(): Promise<void> } {
  let stopped = false;
  const running = (async () => {
    while (!stopped) await Promise.all(devices.map((d) => d.telemetry(attenuation(d))));
  })();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}

function suite(name: string, open: () => Promise<TestDatabase>, skip: string | false) {
  t.test(name, { skip }, async (t) => {
    const database = await open();
    const { db } = database;
    // Dozens of devices connect from 127.0.0.1 within a second: lift the per-address connect rate.
    const node = await startFleetNode(db, { rolloutTickMs: TICK_MS, brokerLimits: { connectRate: { ratePerSecond: 10_000, burst: 10_000 } } });
    t.teardown(async () => {
      await node.server.close();
      await database.close();
    });

    t.test('a rollout completes wave by wave and every device runs the new model', async (t) => {
      const artifact = await insertArtifact(db, { version: '2.0.0' });
      const { ids, devices } = await scriptedFleet(node, 'complete', 10);
      t.teardown(() => closeAll(devices.values()));
      const order: string[] = [];
      for (const d of devices.values()) d.on('list', (list) => list.jobs.length > 0 && !order.includes(d.id) && order.push(d.id));
      const rollout = await create(node, { artifact, target: { tag: 'complete' }, waves: [{ percent: 10 }, { percent: 50 }, { percent: 100 }] });
      t.same(rollout.waves.map((w: { size: number }) => w.size), [1, 4, 5]);
      const done = await waitForStatus(node, rollout.id, 'completed');
      t.same(done.states, { succeeded: 10 });
      const waveOf = await wavesOf(db, rollout.id);
      const waveSeq = order.map((id) => waveOf.get(id)!);
      t.same(waveSeq, [...waveSeq].sort(), `devices were told in wave order (${waveSeq.join('')})`);
      for (const id of ids) {
        const device = (await node.api('viewer', { url: `/api/v1/devices/${id}` })).json();
        t.equal(device.modelVersion, '2.0.0', `${id} runs model 2.0.0`);
      }
      const jobs = (await node.api('viewer', { url: `/api/v1/devices/${ids[0]}/jobs` })).json().items;
      t.same(jobs[0].history.map((h: { state: string }) => h.state), ['queued', 'notified', 'downloading', 'downloading', 'verifying', 'applying', 'succeeded'], 'job history with every step');
      t.equal(jobs[0].offset, 65_536);
      const first = devices.get(ids[0]!)!;
      const last = first.lists.at(-1)?.jobs.length === 0 ? first.lists.at(-1)! : await first.nextList((l) => l.jobs.length === 0);
      t.same(last.jobs, [], 'the finished job left the notify list');
    });

    t.test('failures over the threshold stop at the first wave that breaks it; resume accepts it', async (t) => {
      const artifact = await insertArtifact(db, { version: '2.1.0' });
      const { devices } = await scriptedFleet(node, 'breach', 10);
      t.teardown(() => closeAll(devices.values()));
      const waves = [{ percent: 20 }, { percent: 60 }, { percent: 100 }];
      let failing = new Set<string>();
      for (const d of devices.values()) d.outcome = () => (failing.has(d.id) ? 'fail' : 'succeed');
      // Two devices of the second wave fail; the plan is known once the rollout exists.
      const rollout = await create(node, { artifact, target: { tag: 'breach' }, waves, maxFailureRate: 0.2, onBreach: 'pause' });
      const waveOf = await wavesOf(db, rollout.id);
      failing = new Set([...waveOf].filter(([, w]) => w === 1).map(([id]) => id).slice(0, 2));
      const paused = await waitForStatus(node, rollout.id, 'paused');
      // The first failure already exceeds 20% of 4: the wave breaks then, or at the second if both land together.
      t.match(paused.statusReason, /^wave 2: [12] of 4 jobs failed \((25|50)\.0%\), above the wave's 20\.0%/);
      t.equal(paused.currentWave, 1);
      t.same(paused.waves[2].states, {}, 'the third wave never started');
      t.same(paused.waves[0].states, { succeeded: 2 });
      for (const id of failing) t.equal(devices.get(id)!.modelVersion, '1.0.0', `${id} rolled back to its working model`);

      const resumed = await node.api('operator', { method: 'POST', url: `/api/v1/rollouts/${rollout.id}/resume` });
      t.equal(resumed.statusCode, 200);
      const done = await waitForStatus(node, rollout.id, 'completed');
      t.same(done.waves[2].states, { succeeded: 4 }, 'resuming accepted the breached wave and went on');
    });

    t.test('abort on breach cancels what was not started', async (t) => {
      const artifact = await insertArtifact(db, { version: '2.2.0' });
      const { devices } = await scriptedFleet(node, 'abort', 4);
      t.teardown(() => closeAll(devices.values()));
      for (const d of devices.values()) d.outcome = () => 'fail';
      const rollout = await create(node, { artifact, target: { tag: 'abort' }, waves: [{ percent: 25 }, { percent: 100 }], onBreach: 'abort' });
      const aborted = await waitForStatus(node, rollout.id, 'aborted');
      t.match(aborted.statusReason, /^wave 1: 1 of 1 jobs failed/);
      t.same(aborted.waves[1].states, {}, 'no job for the next wave');
    });

    t.test('a regression caught by the health gate rolls the cohort back', async (t) => {
      const artifact = await insertArtifact(db, { version: '3.0.0' });
      const { devices } = await scriptedFleet(node, 'gate', 10);
      // Telemetry while the test runs: updated devices lose 3 dB.
      const feed = telemetryFeed([...devices.values()], (d) => (d.modelVersion === '3.0.0' ? 17 : 20));
      t.teardown(async () => {
        await feed.stop();
        await closeAll(devices.values());
      });
      const rollout = await create(node, {
        artifact,
        target: { tag: 'gate' },
        waves: [{ percent: 50 }, { percent: 100 }],
        healthGate: { windowMs: 400, holdoutPercent: 20, minSamples: 10 },
      });
      t.equal(rollout.holdoutDevices, 2);
      const aborted = await waitForStatus(node, rollout.id, 'aborted');
      t.match(aborted.statusReason, /^health gate: attenuationDb 17\.00 vs holdout 20\.00 \(tolerance 1\)/);
      t.equal(aborted.gate.kind, 'regression');
      const rolledBack = await waitForRollout(node, rollout.id, (r) => r.waves[0].rollbacks.rolled_back === 4, 'rollbacks done');
      t.same(rolledBack.waves[1].states, {}, 'the second wave never started');
      for (const d of devices.values()) t.equal(d.modelVersion, '1.0.0', `${d.id} back on 1.0.0`);
      const models = await db.selectFrom('devices').select('model_version').where('id', 'in', [...devices.keys()]).execute();
      t.same(new Set(models.map((m) => m.model_version)), new Set(['1.0.0']), 'the device records say 1.0.0 again');
    });

    t.test('a healthy cohort passes the gate and the holdout is released last', async (t) => {
      const artifact = await insertArtifact(db, { version: '3.1.0' });
      const { devices } = await scriptedFleet(node, 'healthy', 6);
      const feed = telemetryFeed([...devices.values()], () => 20);
      t.teardown(async () => {
        await feed.stop();
        await closeAll(devices.values());
      });
      const rollout = await create(node, { artifact, target: { tag: 'healthy' }, waves: [{ percent: 100 }], healthGate: { windowMs: 300, holdoutPercent: 20, minSamples: 5 } });
      const done = await waitForStatus(node, rollout.id, 'completed');
      t.same(done.waves.map((w: { holdout: boolean; states: unknown }) => [w.holdout, w.states]), [[false, { succeeded: 4 }], [true, { succeeded: 2 }]]);
      t.equal(done.gate.kind, 'pass');
      for (const d of devices.values()) t.equal(d.modelVersion, '3.1.0');
    });

    t.test('an unsafe device state defers dispatch until it is safe', async (t) => {
      const artifact = await insertArtifact(db, { version: '4.0.0' });
      const { devices, ids } = await scriptedFleet(node, 'unsafe', 1);
      t.teardown(() => closeAll(devices.values()));
      const device = devices.get(ids[0]!)!;
      await device.report({ battery: 12, charging: false, inCall: false, ancSession: 'idle' });
      const rollout = await create(node, { artifact, target: { tag: 'unsafe' }, waves: [{ percent: 100 }], safety: { minBattery: 50, chargingOverridesBattery: true, notInCall: true, ancSessionIdle: true } });
      await waitForRollout(node, rollout.id, (r) => r.states.queued === 1, 'job queued');
      await node.server.rollouts.tick();
      await node.server.rollouts.tick();
      t.same((await rolloutState(node, rollout.id)).states, { queued: 1 }, 'still queued after ticks: battery 12%');
      await device.report({ battery: 12, charging: true, inCall: true });
      await node.server.rollouts.tick();
      t.same((await rolloutState(node, rollout.id)).states, { queued: 1 }, 'charging, but in a call');
      const told = device.nextList((l) => l.jobs.length === 1);
      await device.report({ inCall: false });
      await told;
      await waitForStatus(node, rollout.id, 'completed');
      t.equal(device.modelVersion, '4.0.0');
    });

    t.test('offline devices get their job when they connect', async (t) => {
      const artifact = await insertArtifact(db, { version: '5.0.0' });
      const { ids, secrets } = await scriptedFleet(node, 'offline', 2, { connect: false });
      const rollout = await create(node, { artifact, target: { tag: 'offline' }, waves: [{ percent: 100 }] });
      await waitForRollout(node, rollout.id, (r) => r.states.queued === 2, 'jobs queued');
      const connected: ScriptedDevice[] = [];
      t.teardown(() => closeAll(connected));
      for (const id of ids) {
        const client = await node.connectDevice(id, secrets.get(id)!);
        const device = new ScriptedDevice(id, client, '1.0.0');
        connected.push(device);
        const first = device.nextList(() => true);
        await device.subscribe();
        t.equal((await first).jobs[0]?.version, '5.0.0', `${id} got its job on subscribe`);
      }
      await waitForStatus(node, rollout.id, 'completed');
    });

    t.test('stuck jobs time out to failed', async (t) => {
      const artifact = await insertArtifact(db, { version: '6.0.0' });
      const { devices } = await scriptedFleet(node, 'stuck', 2);
      t.teardown(() => closeAll(devices.values()));
      for (const d of devices.values()) d.outcome = () => 'silent';
      const rollout = await create(node, { artifact, target: { tag: 'stuck' }, waves: [{ percent: 100, maxFailureRate: 1, minSuccesses: 0 }], timeouts: { notifiedMs: 200 } });
      const done = await waitForStatus(node, rollout.id, 'completed');
      t.same(done.states, { failed: 2 });
      const jobs = (await node.api('viewer', { url: `/api/v1/devices/${[...devices.keys()][0]}/jobs` })).json().items;
      t.match(jobs[0].reason, /^timed out: no progress in notified for 200 ms/);
      t.equal(await node.server.rollouts.mayFetch([...devices.keys()][0]!, artifact), false, 'a failed job may not fetch chunks');
    });

    t.test('bad job updates are refused, the connection and the job survive', async (t) => {
      const artifact = await insertArtifact(db, { version: '7.0.0' });
      const { devices, ids } = await scriptedFleet(node, 'bad', 2);
      t.teardown(() => closeAll(devices.values()));
      const [a, b] = [devices.get(ids[0]!)!, devices.get(ids[1]!)!];
      a.outcome = () => 'silent';
      b.outcome = () => 'silent';
      const [aList, bList] = [a.nextList((l) => l.jobs.length === 1), b.nextList((l) => l.jobs.length === 1)];
      const rollout = await create(node, { artifact, target: { tag: 'bad' }, waves: [{ percent: 100 }] });
      const list = await aList;
      const jobId = list.jobs[0]!.jobId;
      t.equal(await node.server.rollouts.mayFetch(a.id, artifact), true, 'a notified job may fetch chunks');
      t.equal(await node.server.rollouts.mayFetch(a.id, 'f'.repeat(64)), false, 'but not another artifact');
      const topic = `anc/v1/${a.id}/jobs/${jobId}/update`;
      await a.client.publishAsync(topic, 'not json', { qos: 1 });
      await a.client.publishAsync(topic, JSON.stringify({ v: 1, state: 'exploded', t: a.now() }), { qos: 1 });
      await a.client.publishAsync(topic, JSON.stringify({ v: 2, state: 'downloading', t: a.now() }), { qos: 1 });
      await a.client.publishAsync(`anc/v1/${a.id}/jobs/j-does-not-exist/update`, JSON.stringify({ v: 1, state: 'succeeded', t: a.now() }), { qos: 1 });
      // b's job, reported by a: refused like an unknown id.
      const bJob = (await bList).jobs[0]!.jobId;
      await a.client.publishAsync(`anc/v1/${a.id}/jobs/${bJob}/update`, JSON.stringify({ v: 1, state: 'succeeded', t: a.now() }), { qos: 1 });
      t.ok(a.client.connected, 'still connected after every refusal');
      const history = (await node.api('viewer', { url: `/api/v1/devices/${a.id}/jobs` })).json().items[0].history;
      t.same(history.filter((h: { reason: string | null }) => h.reason?.startsWith('refused update')).map((h: { reason: string }) => h.reason), [
        'refused update: /state: Expected union value',
        'refused update: /v: Expected 1',
      ], 'schema failures are kept in the history');
      t.equal((await rolloutState(node, rollout.id)).states.notified, 2, 'nothing moved');
      // A good update still works, then a duplicate and a stale one are ignored.
      await a.update(jobId, { state: 'verifying' });
      await a.update(jobId, { state: 'downloading', offset: 10 });
      await a.update(jobId, { state: 'succeeded', running: { modelVersion: '7.0.0' } });
      await a.update(jobId, { state: 'succeeded', running: { modelVersion: '7.0.0' } });
      const after = (await node.api('viewer', { url: `/api/v1/devices/${a.id}/jobs` })).json().items[0].history;
      const states = after.filter((h: { reason: string | null }) => !h.reason?.startsWith('refused update')).map((h: { state: string }) => h.state);
      t.same(states, ['queued', 'notified', 'verifying', 'succeeded'], 'stale and duplicate updates left no trace');
      await node.api('operator', { method: 'POST', url: `/api/v1/rollouts/${rollout.id}/cancel` });
    });

    t.test('REST: roles, validation, lifecycle conflicts, artifacts in use', async (t) => {
      const artifact = await insertArtifact(db, { version: '8.0.0', hardware: ['hp-1'] });
      const { ids, devices } = await scriptedFleet(node, 'rest', 3, { connect: false });
      void devices;
      await node.provision('rest-old-hw', { hardwareRevision: 'hp-0', modelVersion: '1.0.0', tags: ['rest'] });
      const body = { artifact, target: { tag: 'rest' }, maintenanceWindow: { startMinute: 0, endMinute: 1 } };
      t.equal((await node.api('viewer', { method: 'POST', url: '/api/v1/rollouts', payload: body })).statusCode, 403, 'viewers cannot create');
      const bad = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { ...body, waves: [{ percent: 50 }] } });
      t.equal(bad.statusCode, 400);
      t.match(bad.json().message, /last wave must reach 100/);
      t.equal((await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { ...body, waves: [{ percent: 0 }] } })).statusCode, 400, 'schema checks');
      t.equal((await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { ...body, surprise: 1 } })).statusCode, 400, 'unknown fields refused');
      t.equal((await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { ...body, artifact: 'e'.repeat(64) } })).statusCode, 404);
      const none = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: { ...body, target: { tag: 'nobody' } } });
      t.equal(none.statusCode, 409);
      t.equal(none.json().code, 'NO_ELIGIBLE_DEVICES');

      const created = await node.api('operator', { method: 'POST', url: '/api/v1/rollouts', payload: body });
      t.equal(created.statusCode, 201);
      const rollout = created.json();
      t.same(rollout.skipped, [{ deviceId: 'rest-old-hw', reason: "hardware hp-0 not in the bundle's [hp-1]" }], 'incompatible device skipped with the reason');
      t.equal(rollout.waves.reduce((n: number, w: { size: number }) => n + w.size, 0), ids.length);
      const list = (await node.api('viewer', { url: '/api/v1/rollouts', query: { status: 'running', limit: '50' } })).json();
      t.ok(list.items.some((r: { id: string }) => r.id === rollout.id));
      t.equal((await node.api('viewer', { method: 'POST', url: `/api/v1/rollouts/${rollout.id}/pause` })).statusCode, 403);
      t.equal((await node.api('operator', { method: 'POST', url: `/api/v1/rollouts/${rollout.id}/resume` })).statusCode, 409, 'resume a running rollout');
      const paused = await node.api('operator', { method: 'POST', url: `/api/v1/rollouts/${rollout.id}/pause` });
      t.equal(paused.json().status, 'paused');
      t.match(paused.json().statusReason, /^paused by user:n-operator/);
      t.equal((await node.api('admin', { method: 'POST', url: `/api/v1/rollouts/${rollout.id}/resume` })).json().status, 'running');
      t.equal((await node.api('operator', { method: 'POST', url: `/api/v1/rollouts/${rollout.id}/cancel` })).json().status, 'cancelled');
      t.equal((await node.api('operator', { method: 'POST', url: `/api/v1/rollouts/${rollout.id}/cancel` })).statusCode, 409, 'cancel twice');
      t.equal((await node.api('viewer', { url: '/api/v1/rollouts/r-nope' })).statusCode, 404);
      t.equal((await node.api('viewer', { url: '/api/v1/devices/nobody/jobs' })).statusCode, 404);
      // ON DELETE RESTRICT: PGlite reports 23001 (restrict_violation), this PostgreSQL 23503; the artifacts API maps both to 409.
      const refused = await db.deleteFrom('artifacts').where('id', '=', artifact).execute().then(() => undefined, (error: { code?: string }) => error.code);
      t.ok(refused === '23001' || refused === '23503', `an artifact in use by a rollout cannot be deleted (${refused})`);
    });
  });
}

suite('PGlite', openPglite, false);
suite('PostgreSQL', () => openPostgres(postgresUrl!), postgresUrl ? false : postgresSkipReason);


// End to end: a fleet node on in-memory PGlite, three devices provisioned over REST with an API
// key, three virtual headsets running the firmware. A desired intensity set over REST reaches
// one headset's module, comes back as reported, and the delta clears; telemetry from every
// headset's real run is stored and answered by the REST query. Time is a ManualClock: every
// wait is on an event or a database effect, with a deadline, never a sleep.
import { once } from 'node:events';
import t from 'tap';
import { openPglite } from '../../fleet/support/databases.ts';
import { eventually, startFleetNode } from '../../fleet/support/fleet-node.ts';
import { getScenario } from '../../../simulator/scenarios/index.ts';
import { provisionDevices, type DeviceCredential } from '../../../simulator/fleet/device-credentials.ts';
import { ManualClock } from '../../../simulator/fleet/manual-clock.ts';
import { startVirtualFleet, type VirtualFleet } from '../../../simulator/fleet/virtual-fleet.ts';
import type { VirtualHeadset } from '../../../simulator/fleet/virtual-headset.ts';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// Setup runs in t.before: tap ends a root test whose top level is only waiting on the network.
const { db, close } = await openPglite();
t.teardown(close);
const node = await startFleetNode(db, {}, 'vf');
t.teardown(() => node.server.close());
const clock = new ManualClock();
const startedAt = clock.now();
let credentials: DeviceCredential[] = [];
let fleet: VirtualFleet;

t.before(async () => {
  const created = await node.api('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'virtual-fleet', role: 'operator' } });
  if (created.statusCode !== 201) throw new Error(`api key: ${created.body}`);
  credentials = await provisionDevices({ api: node.server.url, apiKey: created.json().key, count: 3, idPrefix: 'vf' });
  fleet = startVirtualFleet({
    credentials,
    transport: { url: node.mqttUrl, options: { reconnectPeriod: 0 } },
    clock,
    scenario: getScenario('tone'),
    duty: 1,
  });
  t.teardown(() => fleet.stop());
  // each headset connects and its first full report is accepted
  const firstReport = (h: VirtualHeadset) => (h.stats.reportsAccepted > 0 ? Promise.resolve() : once(h, 'reported').then(() => {}));
  await within(Promise.all(fleet.headsets.map(firstReport)), 10_000, 'first reports');
});

t.test('three devices provisioned over REST with an API key', async (t) => {
  t.same(credentials.map((c) => c.deviceId), ['vf-0', 'vf-1', 'vf-2']);
  t.equal(fleet.totals().connected, 3, 'all connected');
});

t.test('a desired intensity reaches the running module, is reported, and the delta clears', async (t) => {
  const [headset] = fleet.headsets;
  const reported = new Promise<void>((resolve) => {
    const onReported = (state: { intensity?: number }) => {
      if (state.intensity !== 0.3) return;
      headset.off('reported', onReported);
      resolve();
    };
    headset.on('reported', onReported);
  });
  const res = await node.api('operator', { method: 'PATCH', url: '/api/v1/devices/vf-0/shadow/desired', payload: { desired: { intensity: 0.3 } } });
  t.equal(res.statusCode, 200);
  await within(reported, 5000, 'reported intensity 0.3');
  t.equal(Math.fround(0.3), Math.fround(headset.settings.current().intensity), 'the module runs 0.3');

  const shadow = (await node.api('viewer', { url: '/api/v1/devices/vf-0/shadow' })).json();
  t.equal(shadow.state.reported.intensity, 0.3, 'reported intensity');
  t.equal(shadow.state.delta, undefined, 'no delta left');
  t.match(shadow.state.reported, { ancMode: 'anc', algorithm: 'fxlms', firmwareVersion: '0.1.0' }, 'the rest of the report');
  const other = (await node.api('viewer', { url: '/api/v1/devices/vf-1/shadow' })).json();
  t.equal(other.state.reported.intensity, 1, 'other headsets keep theirs');
});

t.test('telemetry from every headset is stored and queryable', async (t) => {
  const acked = fleet.headsets.map((h) => once(h, 'telemetry-acked'));
  clock.advance(1000); // ten 100 ms acoustic steps, one batch each
  await within(Promise.all(acked), 10_000, 'telemetry acknowledged');
  for (const { deviceId } of credentials) {
    const res = await node.api('viewer', {
      url: '/api/v1/telemetry',
      query: { deviceId, metric: 'attenuationDb', from: String(startedAt), to: String(clock.now() + 1), bucket: '1h' },
    });
    t.equal(res.statusCode, 200, `${deviceId} query`);
    const points = res.json().points as Array<{ count: number; avg: number }>;
    t.equal(points.reduce((n, p) => n + p.count, 0), 10, `${deviceId}: ten samples stored`);
    const db_ = points[0]!.avg;
    if (deviceId === 'vf-0') {
      // anti-noise at 0.3 of full scale leaves 0.7 of the tone: -20 log10(0.7) = 3.1 dB, the
      // module really runs what was desired
      t.ok(db_ > 2 && db_ < 5, `${deviceId}: intensity 0.3 cancels only part of the tone (${db_.toFixed(1)} dB)`);
    } else {
      t.ok(db_ > 20, `${deviceId}: the tone is cancelled (${db_.toFixed(1)} dB)`);
    }
  }
});

t.test('stopping leaves every device offline', async (t) => {
  await fleet.stop();
  const rows = await eventually(
    async () => {
      const r = await db.selectFrom('devices').select(['id', 'online']).where('id', 'like', 'vf-%').execute();
      return r.every((d) => !d.online) && r;
    },
    5000,
    'devices offline',
  );
  t.equal(rows.length, 3);
});

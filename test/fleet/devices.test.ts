// Devices, credentials and groups over REST.
import t from 'tap';
import { verifyDeviceSecret } from '../../fleet/devices/credential-repository.ts';
import { FleetEvents } from '../../fleet/fleet-events.ts';
import { openPglite } from './support/databases.ts';
import { buildTestApp } from './support/fleet-app.ts';

const { db, close } = await openPglite();
t.teardown(close);
const events = new FleetEvents();
const fleet = await buildTestApp(db, { events });
t.teardown(() => fleet.app.close());
const op = (inject: Parameters<typeof fleet.as>[1]) => fleet.as('operator', inject);
const viewer = (inject: Parameters<typeof fleet.as>[1]) => fleet.as('viewer', inject);

function nextEvent<K extends 'device-deleted' | 'credentials-revoked'>(name: K): Promise<string> {
  return new Promise((resolve) => events.once(name as 'device-deleted', (id: string) => resolve(id)));
}

t.test('provisioning returns the secret once; the secret is what the broker will check', async (t) => {
  await op({ method: 'POST', url: '/api/v1/groups', payload: { name: 'lab', description: 'bench units' } });
  const res = await op({
    method: 'POST',
    url: '/api/v1/devices',
    payload: { id: 'hs-1', name: 'Left bench', hardwareRevision: 'B2', firmwareVersion: '1.4.0', tags: ['beta', 'eu'], groups: ['lab'] },
  });
  t.equal(res.statusCode, 201);
  const { device, secret } = res.json();
  t.match(device, { id: 'hs-1', name: 'Left bench', hardwareRevision: 'B2', firmwareVersion: '1.4.0', modelVersion: null, tags: ['beta', 'eu'], groups: ['lab'], online: false, lastSeen: null });
  t.type(secret, 'string');
  t.ok(secret.length >= 43);
  t.equal(await verifyDeviceSecret(db, 'hs-1', secret), true);
  t.notOk(JSON.stringify((await viewer({ url: '/api/v1/devices/hs-1' })).json()).includes(secret), 'never shown again');
  t.same((await viewer({ url: '/api/v1/devices/hs-1' })).json(), device);

  const generated = await op({ method: 'POST', url: '/api/v1/devices', payload: {} });
  t.equal(generated.statusCode, 201);
  t.match(generated.json().device.id, /^dev-[0-9a-f]{16}$/, 'an id is generated when none is given');
});

t.test('provisioning refuses duplicates, unknown groups and bad fields', async (t) => {
  const dup = await op({ method: 'POST', url: '/api/v1/devices', payload: { id: 'hs-1' } });
  t.equal(dup.statusCode, 409);
  t.equal(dup.json().code, 'CONFLICT');
  const ghost = await op({ method: 'POST', url: '/api/v1/devices', payload: { id: 'hs-ghost', groups: ['no-such-group'] } });
  t.equal(ghost.statusCode, 400);
  t.match(ghost.json().message, /no-such-group/);
  t.equal((await viewer({ url: '/api/v1/devices/hs-ghost' })).statusCode, 404, 'nothing half-created');
  for (const payload of [
    { id: 'a/b' },
    { id: '+' },
    { id: '$SYS' },
    { id: 'x'.repeat(65) },
    { tags: 'beta' },
    { tags: ['a', 'a'] },
    { tags: ['has space'] },
    { name: 7 },
    { firmwareVersion: '' },
    { owner: 'me' },
  ]) {
    const res = await op({ method: 'POST', url: '/api/v1/devices', payload });
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
});

t.test('list filters by group, tag and online state, in pages', async (t) => {
  for (const [id, tags] of [['hs-2', ['eu']], ['hs-3', ['us']], ['hs-4', ['eu', 'beta']]] as const) {
    t.equal((await op({ method: 'POST', url: '/api/v1/devices', payload: { id, tags } })).statusCode, 201);
  }
  await db.updateTable('devices').set({ online: true, last_seen: new Date() }).where('id', '=', 'hs-3').execute();
  const ids = async (query: Record<string, string>) =>
    (await viewer({ url: '/api/v1/devices', query })).json().items.map((d: { id: string }) => d.id).filter((id: string) => id.startsWith('hs-'));
  t.same(await ids({ tag: 'eu' }), ['hs-1', 'hs-2', 'hs-4']);
  t.same(await ids({ tag: 'beta' }), ['hs-1', 'hs-4']);
  t.same(await ids({ group: 'lab' }), ['hs-1']);
  t.same(await ids({ group: 'lab', tag: 'us' }), []);
  t.same(await ids({ online: 'true' }), ['hs-3']);
  t.same(await ids({ online: 'false', tag: 'us' }), []);
  t.same(await ids({ group: 'nobody-here' }), [], 'an unknown group is an empty result');

  const first = (await viewer({ url: '/api/v1/devices', query: { limit: '2', tag: 'eu' } })).json();
  t.same(first.items.map((d: { id: string }) => d.id), ['hs-1', 'hs-2']);
  const second = (await viewer({ url: '/api/v1/devices', query: { limit: '2', tag: 'eu', cursor: first.nextCursor } })).json();
  t.same(second.items.map((d: { id: string }) => d.id), ['hs-4']);
  t.equal(second.nextCursor, null);

  for (const query of [{ online: 'maybe' }, { limit: '-3' }, { tag: 'a b' }, { cursor: 'x' }, { group: '../etc' }] as Record<string, string>[]) {
    const res = await viewer({ url: '/api/v1/devices', query });
    t.equal(res.statusCode, 400, JSON.stringify(query));
  }
});

t.test('update name and tags; unknown devices are 404', async (t) => {
  const res = await op({ method: 'PATCH', url: '/api/v1/devices/hs-2', payload: { name: 'Renamed', tags: ['x'] } });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { id: 'hs-2', name: 'Renamed', tags: ['x'] });
  t.equal((await op({ method: 'PATCH', url: '/api/v1/devices/hs-2', payload: { firmwareVersion: '9' } })).statusCode, 400, 'versions come from the device');
  t.equal((await op({ method: 'PATCH', url: '/api/v1/devices/hs-2', payload: {} })).statusCode, 400);
  t.equal((await op({ method: 'PATCH', url: '/api/v1/devices/nope', payload: { name: 'n' } })).statusCode, 404);
  t.equal((await viewer({ method: 'PATCH', url: '/api/v1/devices/hs-2', payload: { name: 'n' } })).statusCode, 403);
  t.equal((await viewer({ url: '/api/v1/devices/nope' })).json().code, 'NOT_FOUND');
  t.equal((await viewer({ url: '/api/v1/devices/bad%2Fid' })).statusCode, 400);
});

t.test('credentials: rotate revokes the old secret and tells the broker; staged rotation keeps it', async (t) => {
  const provisioned = await op({ method: 'POST', url: '/api/v1/devices', payload: { id: 'hs-rot' } });
  const oldSecret = provisioned.json().secret;
  const revokedEvent = nextEvent('credentials-revoked');
  const rotated = await op({ method: 'POST', url: '/api/v1/devices/hs-rot/credentials/rotate' });
  t.equal(rotated.statusCode, 201);
  t.match(rotated.json(), { deviceId: 'hs-rot', revoked: 1 });
  t.equal(await revokedEvent, 'hs-rot');
  t.equal(await verifyDeviceSecret(db, 'hs-rot', oldSecret), false);
  t.equal(await verifyDeviceSecret(db, 'hs-rot', rotated.json().secret), true);

  const staged = await op({ method: 'POST', url: '/api/v1/devices/hs-rot/credentials/rotate?keepExisting=true' });
  t.equal(staged.json().revoked, 0);
  t.equal(await verifyDeviceSecret(db, 'hs-rot', rotated.json().secret), true, 'both valid during a staged rotation');
  t.equal(await verifyDeviceSecret(db, 'hs-rot', staged.json().secret), true);

  const list = await viewer({ url: '/api/v1/devices/hs-rot/credentials' });
  t.equal(list.json().length, 3);
  t.same(list.json().map((c: { revokedAt: string | null }) => c.revokedAt !== null), [true, false, false]);
  t.notOk(JSON.stringify(list.json()).includes(staged.json().secret));

  const revoked = await op({ method: 'DELETE', url: '/api/v1/devices/hs-rot/credentials' });
  t.same(revoked.json(), { revoked: 2, certificatesRevoked: 0 });
  t.equal(await verifyDeviceSecret(db, 'hs-rot', staged.json().secret), false);

  t.equal((await op({ method: 'POST', url: '/api/v1/devices/ghost/credentials/rotate' })).statusCode, 404);
  t.equal((await op({ method: 'DELETE', url: '/api/v1/devices/ghost/credentials' })).statusCode, 404);
  t.equal((await viewer({ url: '/api/v1/devices/ghost/credentials' })).statusCode, 404);
  t.equal((await viewer({ method: 'POST', url: '/api/v1/devices/hs-rot/credentials/rotate' })).statusCode, 403);
  t.equal((await op({ method: 'POST', url: '/api/v1/devices/hs-rot/credentials/rotate?keepExisting=perhaps' })).statusCode, 400);
});

t.test('groups: create, list, add and remove members, delete', async (t) => {
  const created = await op({ method: 'POST', url: '/api/v1/groups', payload: { name: 'pilot' } });
  t.equal(created.statusCode, 201);
  t.same(created.json().deviceCount, 0);
  t.equal((await op({ method: 'POST', url: '/api/v1/groups', payload: { name: 'pilot' } })).statusCode, 409);
  t.equal((await op({ method: 'POST', url: '/api/v1/groups', payload: { name: 'bad name' } })).statusCode, 400);
  t.equal((await op({ method: 'PUT', url: '/api/v1/groups/pilot/devices/hs-2' })).statusCode, 204);
  t.equal((await op({ method: 'PUT', url: '/api/v1/groups/pilot/devices/hs-2' })).statusCode, 204, 'idempotent');
  t.equal((await op({ method: 'PUT', url: '/api/v1/groups/pilot/devices/hs-3' })).statusCode, 204);
  t.equal((await op({ method: 'PUT', url: '/api/v1/groups/pilot/devices/ghost' })).statusCode, 404);
  t.equal((await op({ method: 'PUT', url: '/api/v1/groups/ghost/devices/hs-2' })).statusCode, 404);
  t.equal((await viewer({ url: '/api/v1/groups/pilot' })).json().deviceCount, 2);
  t.same((await viewer({ url: '/api/v1/devices/hs-2' })).json().groups, ['pilot']);
  t.equal((await op({ method: 'DELETE', url: '/api/v1/groups/pilot/devices/hs-2' })).statusCode, 204);
  t.equal((await op({ method: 'DELETE', url: '/api/v1/groups/pilot/devices/hs-2' })).statusCode, 404);
  const names = (await viewer({ url: '/api/v1/groups' })).json().items.map((g: { name: string }) => g.name);
  t.ok(names.includes('pilot') && names.includes('lab'));
  t.equal((await viewer({ method: 'DELETE', url: '/api/v1/groups/pilot' })).statusCode, 403);
  t.equal((await op({ method: 'DELETE', url: '/api/v1/groups/pilot' })).statusCode, 204);
  t.equal((await viewer({ url: '/api/v1/groups/pilot' })).statusCode, 404);
  t.equal((await viewer({ url: '/api/v1/devices/hs-3' })).statusCode, 200, 'devices outlive their groups');
});

t.test('delete removes the device and its credentials and tells the broker', async (t) => {
  const deleted = nextEvent('device-deleted');
  t.equal((await op({ method: 'DELETE', url: '/api/v1/devices/hs-1' })).statusCode, 204);
  t.equal(await deleted, 'hs-1');
  t.equal((await viewer({ url: '/api/v1/devices/hs-1' })).statusCode, 404);
  t.equal((await db.selectFrom('device_credentials').select('id').where('device_id', '=', 'hs-1').execute()).length, 0);
  t.equal((await op({ method: 'DELETE', url: '/api/v1/devices/hs-1' })).statusCode, 404);
});

// One contract suite for the storage layer, run on PGlite and on PostgreSQL: the same
// migrations, the same SQL and the same values coming back on both.
import t, { type Test } from 'tap';
import { sql } from 'kysely';
import { migrateToLatest } from '../../fleet/db/migrate.ts';
import { migrations } from '../../fleet/db/migrations/index.ts';
import * as users from '../../fleet/users/user-repository.ts';
import * as apiKeys from '../../fleet/api-keys/api-key-repository.ts';
import * as devices from '../../fleet/devices/device-repository.ts';
import * as credentials from '../../fleet/devices/credential-repository.ts';
import * as groups from '../../fleet/groups/group-repository.ts';
import { hashSecret } from '../../fleet/auth/secret-token.ts';
import { openPglite, openPostgres, postgresSkipReason, postgresUrl, type TestDatabase } from './support/databases.ts';

async function contract(t: Test, open: () => Promise<TestDatabase>): Promise<void> {
  const { db, close } = await open();
  t.teardown(close);

  t.test('migrations ran once and a second run applies nothing', async (t) => {
    t.same(await migrateToLatest(db), []);
    const applied = await db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    t.same(applied.map((r) => (r as { name: string }).name), Object.keys(migrations));
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
    for (const name of ['users', 'api_keys', 'devices', 'device_credentials', 'groups', 'device_groups', 'shadows', 'shadow_history', 'telemetry', 'events']) {
      t.ok(tables.rows.some((r) => r.table_name === name), `table ${name}`);
    }
  });

  t.test('users: unique usernames, role check, keyset pages, admin lock', async (t) => {
    const a = await users.insertUser(db, { username: 'ann', passwordHash: 'h1', role: 'admin' });
    const b = await users.insertUser(db, { username: 'bob', passwordHash: 'h2', role: 'viewer' });
    t.type(a.id, 'number');
    t.ok(a.created_at instanceof Date);
    await t.rejects(users.insertUser(db, { username: 'ann', passwordHash: 'x', role: 'viewer' }), { code: '23505' });
    await t.rejects(users.insertUser(db, { username: 'eve', passwordHash: 'x', role: 'root' as never }));
    t.equal(await users.countUsers(db), 2);
    t.same((await users.listUsers(db, { limit: 1 })).map((u) => u.username), ['ann']);
    t.same((await users.listUsers(db, { limit: 5, afterId: a.id })).map((u) => u.username), ['bob']);
    t.equal((await users.findUserByUsername(db, 'bob'))?.id, b.id);
    t.equal(await users.findUserByUsername(db, 'nobody'), undefined);
    t.equal((await users.updateUser(db, b.id, { role: 'operator' }))?.role, 'operator');
    t.equal(await users.updateUser(db, 999_999, { role: 'operator' }), undefined);
    const admins = await db.transaction().execute((trx) => users.lockAdminIds(trx));
    t.same(admins, [a.id]);
    t.equal(await users.deleteUser(db, b.id), true);
    t.equal(await users.deleteUser(db, b.id), false);
  });

  t.test('api keys: found by prefix, revoked once, touched', async (t) => {
    const k = await apiKeys.insertApiKey(db, { name: 'ci', prefix: 'abcdef012345', hash: hashSecret('s'), role: 'operator', createdBy: null });
    t.equal((await apiKeys.findApiKeyByPrefix(db, 'abcdef012345'))?.id, k.id);
    t.equal(k.revoked_at, null);
    const at = new Date('2026-01-01T00:00:00Z');
    t.same((await apiKeys.revokeApiKey(db, k.id, at))?.revoked_at, at);
    t.same((await apiKeys.revokeApiKey(db, k.id, new Date()))?.revoked_at, at, 'second revoke keeps the first time');
    t.equal(await apiKeys.revokeApiKey(db, 424242, at), undefined);
    await apiKeys.touchApiKey(db, k.id, at);
    t.same((await apiKeys.findApiKeyByPrefix(db, 'abcdef012345'))?.last_used_at, at);
  });

  t.test('devices: jsonb tags, filters by tag, group and online, keyset pages', async (t) => {
    await devices.insertDevice(db, { id: 'hs-001', name: 'one', tags: ['lab', 'beta'], hardwareRevision: 'B2' });
    await devices.insertDevice(db, { id: 'hs-002', name: 'two', tags: ['lab'] });
    await devices.insertDevice(db, { id: 'hs-003', name: 'three', tags: [] });
    await t.rejects(devices.insertDevice(db, { id: 'hs-001', name: 'dup', tags: [] }), { code: '23505' });
    const one = await devices.findDevice(db, 'hs-001');
    t.same(one?.tags, ['lab', 'beta'], 'jsonb comes back parsed');
    t.equal(one?.online, false);
    t.equal(one?.hardware_revision, 'B2');
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    t.same(ids(await devices.listDevices(db, { limit: 10, tag: 'lab' })), ['hs-001', 'hs-002']);
    t.same(ids(await devices.listDevices(db, { limit: 10, tag: 'beta' })), ['hs-001']);
    t.same(ids(await devices.listDevices(db, { limit: 10, tag: 'nope' })), []);
    t.same(ids(await devices.listDevices(db, { limit: 2 })), ['hs-001', 'hs-002']);
    t.same(ids(await devices.listDevices(db, { limit: 2, afterId: 'hs-002' })), ['hs-003']);
    await devices.setDevicePresence(db, 'hs-003', true, new Date());
    t.same(ids(await devices.listDevices(db, { limit: 10, online: true })), ['hs-003']);
    t.same(ids(await devices.listDevices(db, { limit: 10, online: false })), ['hs-001', 'hs-002']);

    await groups.insertGroup(db, { name: 'pilot', description: 'first wave' });
    await t.rejects(groups.insertGroup(db, { name: 'pilot', description: '' }), { code: '23505' });
    await groups.addDeviceToGroup(db, 'pilot', 'hs-002');
    await groups.addDeviceToGroup(db, 'pilot', 'hs-002');
    await t.rejects(groups.addDeviceToGroup(db, 'pilot', 'ghost'), { code: '23503' });
    t.same(ids(await devices.listDevices(db, { limit: 10, group: 'pilot' })), ['hs-002']);
    t.same(ids(await devices.listDevices(db, { limit: 10, group: 'pilot', tag: 'beta' })), []);
    t.equal((await groups.findGroup(db, 'pilot'))?.device_count, 1);
    const memberships = await devices.groupsOfDevices(db, ['hs-001', 'hs-002']);
    t.same(Object.fromEntries(memberships), { 'hs-001': [], 'hs-002': ['pilot'] });

    const updated = await devices.updateDevice(db, 'hs-002', { name: 'renamed', tags: ['x'] });
    t.same([updated?.name, updated?.tags], ['renamed', ['x']]);
    t.equal(await devices.updateDevice(db, 'ghost', { name: 'n' }), undefined);
    t.equal(await groups.removeDeviceFromGroup(db, 'pilot', 'hs-002'), true);
    t.equal(await groups.removeDeviceFromGroup(db, 'pilot', 'hs-002'), false);
    t.same((await groups.listGroups(db, { limit: 10 })).map((g) => [g.name, g.device_count]), [['pilot', 0]]);
  });

  t.test('credentials: hashed, verified, revoked, cascade on device delete', async (t) => {
    await devices.insertDevice(db, { id: 'hs-cred', name: '', tags: [] });
    await credentials.insertCredential(db, 'hs-cred', hashSecret('first'));
    t.equal(await credentials.verifyDeviceSecret(db, 'hs-cred', 'first'), true);
    t.equal(await credentials.verifyDeviceSecret(db, 'hs-cred', 'wrong'), false);
    t.equal(await credentials.verifyDeviceSecret(db, 'hs-other', 'first'), false);
    t.equal(await credentials.revokeCredentials(db, 'hs-cred', new Date()), 1);
    t.equal(await credentials.verifyDeviceSecret(db, 'hs-cred', 'first'), false);
    await credentials.insertCredential(db, 'hs-cred', hashSecret('second'));
    t.equal(await credentials.verifyDeviceSecret(db, 'hs-cred', 'second'), true);
    t.equal((await credentials.listCredentials(db, 'hs-cred')).length, 2);
    await groups.addDeviceToGroup(db, 'pilot', 'hs-cred');
    t.equal(await devices.deleteDevice(db, 'hs-cred'), true);
    t.equal((await credentials.listCredentials(db, 'hs-cred')).length, 0);
    t.equal((await groups.findGroup(db, 'pilot'))?.device_count, 0);
  });

  t.test('tables for shadows, telemetry and events take jsonb and bigint the same way', async (t) => {
    await devices.insertDevice(db, { id: 'hs-sh', name: '', tags: [] });
    await db.insertInto('shadows').values({ device_id: 'hs-sh', version: 3, desired: JSON.stringify({ mode: 'anc' }), reported: '{}', metadata: '{}' }).execute();
    const shadow = await db.selectFrom('shadows').selectAll().where('device_id', '=', 'hs-sh').executeTakeFirstOrThrow();
    t.equal(shadow.version, 3, 'bigint reads back as a number on both drivers');
    t.same(shadow.desired, { mode: 'anc' });
    await db.insertInto('telemetry').values({ device_id: 'hs-sh', ts: new Date('2026-01-01T00:00:00Z'), t: '{1767225600000}', attenuation_db: '{20.5}', error_power: '{0}', recoveries: '{0}', battery: '{NULL}' }).execute();
    const row = await db.selectFrom('telemetry').selectAll().executeTakeFirstOrThrow();
    t.same(row.attenuation_db, [20.5]);
    t.same(row.battery, [null]);
    t.equal(row.intensity, null);
    t.equal(Number(row.t[0]), 1767225600000, 'bigint[] elements: strings from pg, numbers from PGlite');
    t.same(row.ts, new Date('2026-01-01T00:00:00Z'));
    const ev = await db.insertInto('events').values({ device_id: 'hs-sh', ts: new Date(), kind: 'emergency', severity: 'warn', data: '{}' }).returning('id').executeTakeFirstOrThrow();
    t.type(ev.id, 'number');
  });
}

t.test('PGlite', (t) => contract(t, openPglite));
t.test('PostgreSQL', { skip: postgresUrl ? false : postgresSkipReason }, (t) => contract(t, () => openPostgres(postgresUrl!)));

// The authentication cache: a verified API key or JWT user is trusted for a short TTL without a
// database read, revocation and user changes through FleetEvents take effect at once, and
// last_used_at is written at most once a minute per key.
import t from 'tap';
import { createTtlCache } from '../../fleet/auth/principal-cache.ts';
import { FleetEvents } from '../../fleet/fleet-events.ts';
import { openPglite } from './support/databases.ts';
import { PASSWORD, buildTestApp, login } from './support/fleet-app.ts';

t.test('TtlCache: expiry, capacity and eviction by predicate', async (t) => {
  let now = 1000;
  const cache = createTtlCache<string, number>({ ttlMs: 100, maxEntries: 2, now: () => now });
  cache.set('a', 1);
  cache.set('b', 2);
  t.equal(cache.get('a'), 1);
  cache.set('c', 3);
  t.equal(cache.size, 2, 'capped');
  t.equal(cache.get('a'), undefined, 'the oldest went first');
  cache.deleteWhere((v) => v === 2);
  t.equal(cache.get('b'), undefined);
  t.equal(cache.get('c'), 3);
  now += 100;
  t.equal(cache.get('c'), undefined, 'expired at the TTL');
  const off = createTtlCache<string, number>({ ttlMs: 0 });
  off.set('x', 1);
  t.equal(off.get('x'), undefined, 'ttl 0 caches nothing');
});

const { db, close } = await openPglite();
t.teardown(close);
const events = new FleetEvents();
const fleet = await buildTestApp(db, { events, authCacheTtlMs: 60_000 });
t.teardown(() => fleet.app.close());
const { app } = fleet;

async function newKey(name: string, role = 'operator'): Promise<{ id: number; key: string }> {
  const res = await fleet.as('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name, role } });
  t.equal(res.statusCode, 201);
  return { id: res.json().id, key: res.json().key };
}
const me = (key: string) => app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } });

t.test('a verified API key is served from the cache, but its secret is still checked', async (t) => {
  const { id, key } = await newKey('cached');
  t.equal((await me(key)).json().role, 'operator');
  // A change behind the server's back (no event) is not seen within the TTL: the cache answered.
  await db.updateTable('api_keys').set({ role: 'viewer' }).where('id', '=', id).execute();
  t.equal((await me(key)).json().role, 'operator', 'cached');
  const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  t.equal((await me(tampered)).statusCode, 401, 'same prefix, wrong secret: refused even when cached');
});

t.test('revoking a key over REST takes effect at once, cached or not', async (t) => {
  const { id, key } = await newKey('to-revoke');
  t.equal((await me(key)).statusCode, 200);
  t.equal((await me(key)).statusCode, 200, 'now cached');
  t.equal((await fleet.as('admin', { method: 'DELETE', url: `/api/v1/api-keys/${id}` })).statusCode, 200);
  const after = await me(key);
  t.equal(after.statusCode, 401);
  t.equal(after.json().code, 'INVALID_API_KEY');
});

t.test('an api-key-revoked event from elsewhere evicts the key at once', async (t) => {
  const { id, key } = await newKey('evented');
  t.equal((await me(key)).statusCode, 200);
  await db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', id).execute();
  t.equal((await me(key)).statusCode, 200, 'without the event the cache still trusts it');
  events.emit('api-key-revoked', id);
  t.equal((await me(key)).statusCode, 401, 'after the event it is re-read and refused');
});

t.test('last_used_at is written at most once a minute per key', async (t) => {
  const { id, key } = await newKey('touched');
  const lastUsed = async () => (await db.selectFrom('api_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;
  await me(key);
  t.ok(await lastUsed(), 'first use recorded');
  await db.updateTable('api_keys').set({ last_used_at: null }).where('id', '=', id).execute();
  for (let i = 0; i < 5; i++) await me(key);
  t.equal(await lastUsed(), null, 'no further writes within the minute');
});

t.test('a JWT user is cached; a role change or deletion over REST applies at once', async (t) => {
  const created = await fleet.as('admin', { method: 'POST', url: '/api/v1/users', payload: { username: 'cache-temp', password: PASSWORD, role: 'operator' } });
  const userId = created.json().id as number;
  const headers = { authorization: `Bearer ${(await login(app, 'cache-temp', PASSWORD)).json().token}` };
  const whoami = async () => (await app.inject({ url: '/api/v1/auth/me', headers })).json();
  t.equal((await whoami()).role, 'operator');
  await db.updateTable('users').set({ role: 'admin' }).where('id', '=', userId).execute();
  t.equal((await whoami()).role, 'operator', 'a change without an event waits for the TTL');
  await fleet.as('admin', { method: 'PATCH', url: `/api/v1/users/${userId}`, payload: { role: 'viewer' } });
  t.equal((await whoami()).role, 'viewer', 'PATCH evicts at once');
  await fleet.as('admin', { method: 'DELETE', url: `/api/v1/users/${userId}` });
  const res = await app.inject({ url: '/api/v1/auth/me', headers });
  t.equal(res.statusCode, 401, 'DELETE evicts at once');
});

t.test('entries expire after the TTL', async (t) => {
  const short = await buildTestApp(db, { authCacheTtlMs: 30 }, 'ttl-');
  t.teardown(() => short.app.close());
  const res = await fleet.as('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'short', role: 'operator' } });
  const { id, key } = res.json() as { id: number; key: string };
  const ask = () => short.app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } });
  t.equal((await ask()).json().role, 'operator');
  await db.updateTable('api_keys').set({ role: 'viewer' }).where('id', '=', id).execute();
  await new Promise((r) => setTimeout(r, 60));
  t.equal((await ask()).json().role, 'viewer', 're-read after the TTL');
});

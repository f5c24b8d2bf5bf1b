// Login, tokens, API keys and roles: who gets in, and what each role may do.
import { createHmac } from 'node:crypto';
import t from 'tap';
import { buildApp } from '../../fleet/app.ts';
import { openPglite } from './support/databases.ts';
import { JWT_SECRET, PASSWORD, buildTestApp, login } from './support/fleet-app.ts';

const { db, close } = await openPglite();
t.teardown(close);
const fleet = await buildTestApp(db);
t.teardown(() => fleet.app.close());
const { app } = fleet;

t.test('login issues a bearer token that identifies the user', async (t) => {
  const res = await login(app, 'operator', PASSWORD);
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.tokenType, 'Bearer');
  t.same(body.user, { id: fleet.userIds.operator, username: 'operator', role: 'operator' });
  const me = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.token}` } });
  t.same(me.json(), { kind: 'user', id: fleet.userIds.operator, name: 'operator', role: 'operator' });
});

t.test('bad logins are refused alike, malformed ones are 400', async (t) => {
  const wrong = await login(app, 'viewer', 'not the password');
  t.equal(wrong.statusCode, 401);
  t.equal(wrong.json().code, 'INVALID_LOGIN');
  const unknown = await login(app, 'nobody', PASSWORD);
  t.equal(unknown.statusCode, 401);
  t.equal(unknown.json().message, wrong.json().message, 'unknown user and wrong password read the same');
  for (const payload of [{}, { username: 'viewer' }, { username: 5, password: PASSWORD }, { username: 'viewer', password: PASSWORD, extra: 1 }, []]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
});

t.test('login is rate-limited per IP and username', async (t) => {
  const limited = await buildApp({ db, jwtSecret: JWT_SECRET, loginRateLimit: { max: 3, timeWindow: '1 minute' } });
  t.teardown(() => limited.close());
  for (let i = 0; i < 3; i++) t.equal((await login(limited, 'viewer', 'guess' + i)).statusCode, 401);
  const blocked = await login(limited, 'viewer', PASSWORD);
  t.equal(blocked.statusCode, 429, 'even the right password waits out the window');
  t.equal(blocked.json().code, 'RATE_LIMITED');
  t.ok(blocked.headers['retry-after'], 'says when to retry');
  t.equal((await login(limited, 'admin', PASSWORD)).statusCode, 200, 'another username from the same IP is not blocked');
  const otherIp = await limited.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'viewer', password: PASSWORD }, remoteAddress: '10.0.0.9' });
  t.equal(otherIp.statusCode, 200, 'the same username from another IP is not blocked');
  const healthy = await limited.inject('/health');
  t.equal(healthy.statusCode, 200, 'other routes are not rate-limited');
});

t.test('requests without valid credentials are 401', async (t) => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['none', {}, 'AUTH_REQUIRED'],
    ['unknown scheme', { authorization: 'Basic dXNlcjpwYXNz' }, 'AUTH_REQUIRED'],
    ['empty bearer', { authorization: 'Bearer ' }, 'AUTH_REQUIRED'],
    ['garbage token', { authorization: 'Bearer not.a.jwt' }, 'INVALID_TOKEN'],
    ['token signed with another secret', { authorization: `Bearer ${fleet.tokens.admin.slice(0, -4)}AAAA` }, 'INVALID_TOKEN'],
    ['garbage api key', { authorization: 'ApiKey nope' }, 'INVALID_API_KEY'],
    ['unknown api key', { 'x-api-key': `anc_000000000000_${'A'.repeat(43)}` }, 'INVALID_API_KEY'],
  ];
  for (const [name, headers, code] of cases) {
    const res = await app.inject({ url: '/api/v1/devices', headers });
    t.equal(res.statusCode, 401, name);
    t.equal(res.json().code, code, name);
  }
});

t.test('an expired token is refused, a forged one too', async (t) => {
  // Signed by hand with the app's secret, so the expiry is in the past without waiting.
  const sign = (claims: object, secret: string) => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
    return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
  };
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: String(fleet.userIds.admin), role: 'admin' };
  const valid = sign({ ...claims, iat: now, exp: now + 60 }, JWT_SECRET);
  t.equal((await app.inject({ url: '/api/v1/users', headers: { authorization: `Bearer ${valid}` } })).statusCode, 200, 'the hand-made token is accepted');
  for (const [name, token] of [
    ['expired', sign({ ...claims, iat: now - 120, exp: now - 60 }, JWT_SECRET)],
    ['other secret', sign({ ...claims, iat: now, exp: now + 60 }, 'another-secret')],
    ['unknown user', sign({ sub: '999999', role: 'admin', iat: now, exp: now + 60 }, JWT_SECRET)],
    ['non-numeric subject', sign({ sub: 'admin', role: 'admin', iat: now, exp: now + 60 }, JWT_SECRET)],
  ] as const) {
    const res = await app.inject({ url: '/api/v1/users', headers: { authorization: `Bearer ${token}` } });
    t.equal(res.statusCode, 401, name);
    t.equal(res.json().code, 'INVALID_TOKEN', name);
  }
});

t.test('roles: viewer reads, operator manages devices, admin manages users and keys', async (t) => {
  const matrix: Array<[string, 'GET' | 'POST', string, object | undefined, Record<'viewer' | 'operator' | 'admin', number>]> = [
    ['list devices', 'GET', '/api/v1/devices', undefined, { viewer: 200, operator: 200, admin: 200 }],
    ['list groups', 'GET', '/api/v1/groups', undefined, { viewer: 200, operator: 200, admin: 200 }],
    ['create group', 'POST', '/api/v1/groups', { name: 'g-roles' }, { viewer: 403, operator: 201, admin: 409 }],
    ['list users', 'GET', '/api/v1/users', undefined, { viewer: 403, operator: 403, admin: 200 }],
    ['list keys', 'GET', '/api/v1/api-keys', undefined, { viewer: 403, operator: 403, admin: 200 }],
  ];
  for (const [name, method, url, payload, expected] of matrix) {
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const res = await fleet.as(role, { method, url, ...(payload ? { payload } : {}) });
      t.equal(res.statusCode, expected[role], `${name} as ${role}`);
      if (res.statusCode === 403) t.equal(res.json().code, 'FORBIDDEN');
    }
  }
  const bad = await fleet.as('viewer', { method: 'POST', url: '/api/v1/devices', payload: { id: 5 } });
  t.equal(bad.statusCode, 403, 'a forbidden caller hears 403 before any validation');
});

t.test('a deleted user’s token stops working at once, and a role change applies at once', async (t) => {
  const created = await fleet.as('admin', { method: 'POST', url: '/api/v1/users', payload: { username: 'temp', password: PASSWORD, role: 'operator' } });
  const token = (await login(app, 'temp', PASSWORD)).json().token as string;
  const headers = { authorization: `Bearer ${token}` };
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/groups', headers, payload: { name: 'by-temp' } })).statusCode, 201);
  await fleet.as('admin', { method: 'PATCH', url: `/api/v1/users/${created.json().id}`, payload: { role: 'viewer' } });
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/groups', headers, payload: { name: 'by-temp-2' } })).statusCode, 403);
  await fleet.as('admin', { method: 'DELETE', url: `/api/v1/users/${created.json().id}` });
  const res = await app.inject({ url: '/api/v1/devices', headers });
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'INVALID_TOKEN');
});

t.test('API keys: shown once, work in both headers, carry their role, revocable', async (t) => {
  const created = await fleet.as('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'ci', role: 'operator' } });
  t.equal(created.statusCode, 201);
  const key = created.json().key as string;
  t.match(key, /^anc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  t.equal(created.json().createdBy, fleet.userIds.admin);

  const listed = await fleet.as('admin', { url: '/api/v1/api-keys' });
  const entry = listed.json().items.find((k: { id: number }) => k.id === created.json().id);
  t.equal(entry.key, undefined, 'the key is never listed');
  t.equal(entry.prefix, key.slice(4, 16));
  t.notOk(JSON.stringify(listed.json()).includes(key.slice(17)), 'no part of the secret is listed');

  const viaHeader = await app.inject({ url: '/api/v1/auth/me', headers: { 'x-api-key': key } });
  t.same(viaHeader.json(), { kind: 'api-key', id: created.json().id, name: 'ci', role: 'operator' });
  const viaAuth = await app.inject({ method: 'POST', url: '/api/v1/groups', headers: { authorization: `ApiKey ${key}` }, payload: { name: 'by-key' } });
  t.equal(viaAuth.statusCode, 201, 'operator key manages groups');
  const forbidden = await app.inject({ url: '/api/v1/users', headers: { 'x-api-key': key } });
  t.equal(forbidden.statusCode, 403, 'but not users');
  const afterUse = await fleet.as('admin', { url: '/api/v1/api-keys' });
  t.ok(afterUse.json().items.find((k: { id: number }) => k.id === created.json().id).lastUsedAt, 'last use is recorded');

  const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  t.equal((await app.inject({ url: '/api/v1/devices', headers: { 'x-api-key': tampered } })).statusCode, 401, 'right prefix, wrong secret');

  const revoked = await fleet.as('admin', { method: 'DELETE', url: `/api/v1/api-keys/${created.json().id}` });
  t.equal(revoked.statusCode, 200);
  t.ok(revoked.json().revokedAt);
  const after = await app.inject({ url: '/api/v1/devices', headers: { 'x-api-key': key } });
  t.equal(after.statusCode, 401);
  t.equal(after.json().code, 'INVALID_API_KEY');

  t.equal((await fleet.as('admin', { method: 'DELETE', url: '/api/v1/api-keys/99999' })).statusCode, 404);
  t.equal((await fleet.as('admin', { method: 'DELETE', url: '/api/v1/api-keys/abc' })).statusCode, 400);
  const badRole = await fleet.as('admin', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'x', role: 'root' } });
  t.equal(badRole.statusCode, 400);
  t.equal((await fleet.as('operator', { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'x', role: 'admin' } })).statusCode, 403);
});

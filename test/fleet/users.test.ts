// User management: admin-only CRUD, duplicates, validation, pages, and the last admin.
import t from 'tap';
import { openPglite } from './support/databases.ts';
import { PASSWORD, buildTestApp, login } from './support/fleet-app.ts';

const { db, close } = await openPglite();
t.teardown(close);
const fleet = await buildTestApp(db);
t.teardown(() => fleet.app.close());
const admin = (inject: Parameters<typeof fleet.as>[1]) => fleet.as('admin', inject);

t.test('create, get, change role and password, delete', async (t) => {
  const created = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'carol', password: PASSWORD, role: 'viewer' } });
  t.equal(created.statusCode, 201);
  const user = created.json();
  t.match(user, { username: 'carol', role: 'viewer' });
  t.notOk('password' in user || 'passwordHash' in user, 'no secret in the answer');
  t.match(user.createdAt, /^\d{4}-\d\d-\d\dT/);
  t.same((await admin({ url: `/api/v1/users/${user.id}` })).json(), user);

  const patched = await admin({ method: 'PATCH', url: `/api/v1/users/${user.id}`, payload: { role: 'operator', password: 'a new password' } });
  t.equal(patched.statusCode, 200);
  t.equal(patched.json().role, 'operator');
  t.equal((await login(fleet.app, 'carol', PASSWORD)).statusCode, 401, 'old password no longer works');
  t.equal((await login(fleet.app, 'carol', 'a new password')).statusCode, 200);

  t.equal((await admin({ method: 'DELETE', url: `/api/v1/users/${user.id}` })).statusCode, 204);
  const gone = await admin({ url: `/api/v1/users/${user.id}` });
  t.equal(gone.statusCode, 404);
  t.equal(gone.json().code, 'NOT_FOUND');
  t.equal((await admin({ method: 'DELETE', url: `/api/v1/users/${user.id}` })).statusCode, 404);
  t.equal((await admin({ method: 'PATCH', url: `/api/v1/users/${user.id}`, payload: { role: 'viewer' } })).statusCode, 404);
});

t.test('duplicates and bad input', async (t) => {
  const dup = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'viewer', password: PASSWORD, role: 'viewer' } });
  t.equal(dup.statusCode, 409);
  t.equal(dup.json().code, 'CONFLICT');
  const bodies = [
    { username: 'x', password: 'short', role: 'viewer' },
    { username: 'has space', password: PASSWORD, role: 'viewer' },
    { username: 'x', password: PASSWORD, role: 'root' },
    { username: ['x'], password: PASSWORD, role: 'viewer' },
    { username: 'x', password: 12345678, role: 'viewer' },
    { username: 'x', password: PASSWORD, role: 'viewer', admin: true },
  ];
  for (const payload of bodies) {
    const res = await admin({ method: 'POST', url: '/api/v1/users', payload });
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
  const emptyPatch = await admin({ method: 'PATCH', url: `/api/v1/users/${fleet.userIds.viewer}`, payload: {} });
  t.equal(emptyPatch.statusCode, 400, 'a patch must change something');
  for (const id of ['abc', '0', '-1', '1.5']) t.equal((await admin({ url: `/api/v1/users/${id}` })).statusCode, 400, `id ${id}`);
  const message = (await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'x', password: PASSWORD, role: 5 } })).json().message;
  t.match(message, /^body\/role: /, 'the message says which field is wrong');
});

t.test('pages follow the cursor to the end', async (t) => {
  for (const name of ['p1', 'p2', 'p3']) await admin({ method: 'POST', url: '/api/v1/users', payload: { username: name, password: PASSWORD, role: 'viewer' } });
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await admin({ url: '/api/v1/users', query: { limit: '2', ...(cursor ? { cursor } : {}) } });
    t.equal(res.statusCode, 200);
    const page = res.json();
    t.ok(page.items.length <= 2);
    seen.push(...page.items.map((u: { username: string }) => u.username));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  t.same(seen, ['admin', 'operator', 'viewer', 'p1', 'p2', 'p3']);
  t.equal(pages, 3);
  t.equal((await admin({ url: '/api/v1/users?cursor=garbage' })).json().code, 'BAD_CURSOR');
  t.equal((await admin({ url: '/api/v1/users?limit=0' })).statusCode, 400);
  t.equal((await admin({ url: '/api/v1/users?limit=501' })).statusCode, 400);
  t.equal((await admin({ url: '/api/v1/users?limit=ten' })).statusCode, 400);
  t.equal((await admin({ url: '/api/v1/users?sort=name' })).statusCode, 400, 'unknown query parameters are refused');
});

t.test('the last admin can be neither deleted nor demoted', async (t) => {
  const id = fleet.userIds.admin;
  const del = await admin({ method: 'DELETE', url: `/api/v1/users/${id}` });
  t.equal(del.statusCode, 409);
  t.equal(del.json().code, 'LAST_ADMIN');
  const demote = await admin({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { role: 'viewer' } });
  t.equal(demote.statusCode, 409);
  t.equal(demote.json().code, 'LAST_ADMIN');
  t.equal((await admin({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { role: 'admin' } })).statusCode, 200, 'staying admin is fine');

  const second = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'admin2', password: PASSWORD, role: 'admin' } });
  const both = await Promise.all([
    admin({ method: 'DELETE', url: `/api/v1/users/${id}` }),
    admin({ method: 'DELETE', url: `/api/v1/users/${second.json().id}` }),
  ]);
  t.same(both.map((r) => r.statusCode).sort(), [204, 409], 'of two concurrent deletes of the two admins, one is refused');
});

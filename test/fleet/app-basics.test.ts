// The app shell: health, metrics, OpenAPI, the error shape for malformed requests, close.
import t from 'tap';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { buildApp } from '../../fleet/app.ts';
import type { BrokerHealth } from '../../fleet/broker-probe.ts';
import type { Database } from '../../fleet/db/database.ts';
import { createFleetMetrics } from '../../fleet/observability/fleet-metrics.ts';
import { openPglite } from './support/databases.ts';
import { JWT_SECRET, buildTestApp } from './support/fleet-app.ts';

const { db, close } = await openPglite();
t.teardown(close);
const metrics = createFleetMetrics();
const broker = { state: { status: 'up', clients: 3 } as BrokerHealth, health() { return this.state; } };
const fleet = await buildTestApp(db, { metrics, broker });
t.teardown(() => fleet.app.close());
const { app } = fleet;

t.test('/health reports database and broker', async (t) => {
  const res = await app.inject('/health');
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.status, 'ok');
  t.equal(body.database.status, 'up');
  t.type(body.database.latencyMs, 'number');
  t.same(body.broker, { status: 'up', clients: 3 });

  broker.state = { status: 'down', clients: 0 };
  const down = await app.inject('/health');
  t.equal(down.statusCode, 503, 'a node whose broker is down is taken out of rotation');
  t.equal(down.json().broker.status, 'down');
  broker.state = { status: 'up', clients: 3 };
});

t.test('/health answers 503 when the database is unreachable', async (t) => {
  // A real PostgreSQL client pointed at a port where nothing listens.
  const pool = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'nobody', database: 'none', connectionTimeoutMillis: 1000 });
  const deadDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const dead = await buildApp({ db: deadDb, jwtSecret: JWT_SECRET });
  t.teardown(async () => {
    await dead.close();
    await deadDb.destroy();
  });
  const res = await dead.inject('/health');
  t.equal(res.statusCode, 503);
  const body = res.json();
  t.equal(body.status, 'unavailable');
  t.equal(body.database.status, 'down');
  t.equal(body.database.latencyMs, null);
  t.match(body.database.error, /ECONNREFUSED|connect/);
  t.same(body.broker, { status: 'not-attached' });
});

t.test('/metrics exposes REST, database and MQTT series from this app only', async (t) => {
  await app.inject('/health');
  await fleet.as('viewer', { url: '/api/v1/devices' });
  metrics.connectedDevices.set(2);
  const res = await app.inject('/metrics');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/plain/);
  t.match(res.body, /fleet_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/devices",status_code="200"\} 1/);
  t.match(res.body, /fleet_db_query_duration_seconds_count \d+/);
  t.match(res.body, /fleet_connected_devices 2/);
  t.match(res.body, /fleet_mqtt_messages_in_total/);
  t.match(res.body, /fleet_ingest_batch_size_bucket/);
  t.notMatch(res.body, /process_cpu/, 'no process metrics unless asked for');
});

t.test('OpenAPI at /docs lists every route with its schemas', async (t) => {
  const ui = await app.inject('/docs');
  t.ok([200, 302].includes(ui.statusCode), `docs UI answers (${ui.statusCode})`);
  const res = await app.inject('/docs/json');
  t.equal(res.statusCode, 200);
  const doc = res.json();
  t.equal(doc.openapi, '3.0.3');
  for (const path of ['/api/v1/auth/login', '/api/v1/users', '/api/v1/users/{id}', '/api/v1/api-keys', '/api/v1/devices', '/api/v1/devices/{id}', '/api/v1/devices/{id}/credentials/rotate', '/api/v1/groups/{name}/devices/{deviceId}', '/health']) {
    t.ok(doc.paths[path], `documents ${path}`);
  }
  t.ok(doc.paths['/api/v1/devices'].post.requestBody, 'request body schema');
  t.ok(doc.paths['/api/v1/devices'].post.responses['201'], 'response schema');
  t.notOk(doc.paths['/metrics'], 'metrics is not part of the API');
});

t.test('malformed requests get the one error shape', async (t) => {
  const cases = [
    { name: 'malformed JSON', inject: { method: 'POST' as const, url: '/api/v1/groups', headers: { 'content-type': 'application/json' }, payload: '{"name": ' }, status: 400, code: 'MALFORMED_JSON' },
    { name: 'empty JSON body', inject: { method: 'POST' as const, url: '/api/v1/groups', headers: { 'content-type': 'application/json' }, payload: '' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'not JSON', inject: { method: 'POST' as const, url: '/api/v1/groups', headers: { 'content-type': 'text/xml' }, payload: '<a/>' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'too large', inject: { method: 'POST' as const, url: '/api/v1/groups', payload: { name: 'big', description: 'x'.repeat(300 * 1024) } }, status: 413, code: 'BODY_TOO_LARGE' },
    { name: 'unknown route', inject: { method: 'GET' as const, url: '/api/v1/nothing-here?x=1' }, status: 404, code: 'ROUTE_NOT_FOUND' },
  ];
  for (const c of cases) {
    const res = await fleet.as('operator', c.inject);
    t.equal(res.statusCode, c.status, `${c.name}: status`);
    const body = res.json();
    t.same(Object.keys(body).sort(), ['code', 'error', 'message', 'statusCode'], `${c.name}: shape`);
    t.equal(body.code, c.code, `${c.name}: code`);
    t.equal(body.statusCode, c.status);
  }
  const unknown = await fleet.as('operator', { url: '/api/v1/nothing-here?x=1' });
  t.equal(unknown.json().message, 'no route GET /api/v1/nothing-here');
});

t.test('app.close releases what the app opened and leaves the database to its owner', async (t) => {
  const other = await buildApp({ db, jwtSecret: JWT_SECRET });
  await other.ready();
  await other.close();
  const res = await app.inject('/health');
  t.equal(res.statusCode, 200, 'the shared database still works');
});

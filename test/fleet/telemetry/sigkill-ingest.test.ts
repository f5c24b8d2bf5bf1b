// Durability of the acknowledgement rule: the real server (`anc-fleet serve`, a child process)
// is killed with SIGKILL while several devices publish QoS 1 telemetry batches as fast as it takes
// them. Every batch whose PUBACK reached its client must be in the database after a restart on the
// same storage. PGlite on disk (the default) always; PostgreSQL when TEST_DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { connectAsync, type MqttClient } from 'mqtt';
import t, { type Test } from 'tap';
import { connectDatabase } from '../../../fleet/db/connect.ts';
import type { Database } from '../../../fleet/db/database.ts';
import { postgresSkipReason, postgresUrl } from '../support/databases.ts';
import { startFleetProcess, type FleetProcess } from '../support/fleet-process.ts';
import { readSamples } from '../support/telemetry-samples.ts';

const DEVICES = 4;
const SAMPLES_PER_BATCH = 5;
/** In-flight (unacknowledged) batches per client: enough to keep the ingest busy. */
const WINDOW = 16;
/** Kill once this many batches are acknowledged in total. */
const KILL_AFTER_ACKS = 300;

interface Storage {
  name: string;
  databaseUrl?: string;
  /** Opens the server's database from the test process (after the server has exited). */
  open(): Kysely<Database>;
  cleanup(): Promise<void>;
}

function pgliteStorage(dataDir: string): Storage {
  return { name: 'PGlite on disk', open: () => connectDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pglite') }), cleanup: async () => {} };
}

/** A fresh schema, selected for the server through the URL's `options` (libpq's search_path). */
async function postgresStorage(url: string): Promise<Storage> {
  const schema = `fleet_sigkill_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = connectDatabase({ kind: 'postgres', url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  const withSchema = new URL(url);
  withSchema.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name: 'PostgreSQL',
    databaseUrl: withSchema.toString(),
    open: () => connectDatabase({ kind: 'postgres', url, searchPath: schema, poolSize: 2 }),
    async cleanup() {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
      await admin.destroy();
    },
  };
}

async function api(server: FleetProcess, token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

interface Publisher {
  id: string;
  client: MqttClient;
  /** Sequence numbers whose PUBACK arrived. */
  acked: Set<number>;
  sent(): number;
  stop(): void;
}

/** Publishes batch after batch, keeping WINDOW unacknowledged, until stopped or disconnected. */
function publishFlat(client: MqttClient, id: string, base: number, onAck: () => void): Publisher {
  const acked = new Set<number>();
  let seq = 0;
  let inFlight = 0;
  let stopped = false;
  const batch = (s: number) =>
    JSON.stringify({
      v: 1,
      samples: Array.from({ length: SAMPLES_PER_BATCH }, (_, j) => ({ t: base + s * SAMPLES_PER_BATCH + j, attenuationDb: 10, errorPower: 0.01, recoveries: s })),
    });
  const pump = () => {
    while (!stopped && client.connected && inFlight < WINDOW) {
      const s = seq++;
      inFlight++;
      client.publish(`anc/v1/${id}/telemetry`, batch(s), { qos: 1 }, (error) => {
        inFlight--;
        if (error) return;
        acked.add(s);
        onAck();
        pump();
      });
    }
  };
  pump();
  return { id, client, acked, sent: () => seq, stop: () => (stopped = true) };
}

function allClosed(clients: MqttClient[], ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`clients still connected ${ms} ms after the kill`)), ms);
    const check = () => {
      if (clients.some((c) => c.connected)) return;
      clearTimeout(timer);
      resolve();
    };
    for (const c of clients) c.on('close', check);
    check();
  });
}

async function sigkillDuringIngest(t: Test, storage: Storage, dataDir: string): Promise<void> {
  t.teardown(() => storage.cleanup());
  const first = await startFleetProcess({ dataDir, databaseUrl: storage.databaseUrl });
  t.teardown(() => first.stop('SIGKILL'));
  t.ok(first.adminPassword, 'first start printed the admin password');
  const login = await api(first, undefined, 'POST', '/auth/login', { username: 'admin', password: first.adminPassword });
  t.equal(login.status, 200);
  const token: string = login.json.token;

  const base = Date.now() - 3 * 60_000;
  const devices: Array<{ id: string; secret: string }> = [];
  for (let i = 0; i < DEVICES; i++) {
    const id = `hs-kill-${i}`;
    const created = await api(first, token, 'POST', '/devices', { id });
    t.equal(created.status, 201, created.json.message);
    devices.push({ id, secret: created.json.secret });
  }
  const clients = await Promise.all(
    devices.map(({ id, secret }) => connectAsync(first.mqttUrl, { clientId: id, username: id, password: secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 })),
  );
  t.teardown(() => clients.forEach((c) => c.end(true)));
  for (const c of clients) c.on('error', () => {});

  // Publish from every client at once; SIGKILL as soon as enough PUBACKs arrived.
  let total = 0;
  let killed: Promise<unknown> | undefined;
  let sentAtKill = 0;
  let ackedAtKill = 0;
  const publishers: Publisher[] = [];
  const onAck = () => {
    total++;
    if (total >= KILL_AFTER_ACKS && !killed) {
      sentAtKill = publishers.reduce((n, p) => n + p.sent(), 0);
      ackedAtKill = total;
      killed = first.stop('SIGKILL');
    }
  };
  devices.forEach(({ id }, i) => publishers.push(publishFlat(clients[i]!, id, base, onAck)));
  await allClosed(clients, 30_000);
  publishers.forEach((p) => p.stop());
  t.same(await killed, { code: null, signal: 'SIGKILL' }, 'the server died of SIGKILL');
  const acked = publishers.reduce((n, p) => n + p.acked.size, 0);
  t.ok(sentAtKill - ackedAtKill > 0, `killed mid-stream: ${sentAtKill - ackedAtKill} of ${sentAtKill} batches unacknowledged at the kill`);
  t.ok(acked >= KILL_AFTER_ACKS, `${acked} batches acknowledged in all`);

  // Restart on the same storage: it comes up and the REST API sees the acknowledged rows.
  const second = await startFleetProcess({ dataDir, databaseUrl: storage.databaseUrl });
  t.teardown(() => second.stop('SIGKILL'));
  t.notOk(second.adminPassword, 'a restart does not create another admin');
  const health = await fetch(`${second.url}/health`);
  t.equal(health.status, 200, 'healthy after the restart');
  const relogin = await api(second, undefined, 'POST', '/auth/login', { username: 'admin', password: first.adminPassword });
  for (const p of publishers) {
    const from = base - 1;
    const to = base + p.sent() * SAMPLES_PER_BATCH + 1;
    const series = await api(second, relogin.json.token, 'GET', `/telemetry?deviceId=${p.id}&metric=recoveries&bucket=1h&from=${from}&to=${to}`);
    t.equal(series.status, 200);
    const count = (series.json.points as Array<{ count: number }>).reduce((n, point) => n + point.count, 0);
    t.ok(count >= p.acked.size * SAMPLES_PER_BATCH, `${p.id}: REST counts ${count} samples for ${p.acked.size} acknowledged batches`);
  }
  t.same(await second.stop('SIGTERM'), { code: 0, signal: null }, 'graceful stop');

  // The exact check, row by row, on the database the server left behind.
  const db = storage.open();
  try {
    const rows = await readSamples(db, 'hs-kill-%');
    const stored = new Set(rows.map((r) => `${r.deviceId}@${r.t}`));
    const missing: string[] = [];
    for (const p of publishers) {
      for (const s of p.acked) {
        for (let j = 0; j < SAMPLES_PER_BATCH; j++) {
          const key = `${p.id}@${base + s * SAMPLES_PER_BATCH + j}`;
          if (!stored.has(key)) missing.push(key);
        }
      }
    }
    t.same(missing.slice(0, 20), [], `no acknowledged sample is missing (${missing.length} missing of ${acked * SAMPLES_PER_BATCH})`);
    t.comment(`${storage.name}: ${acked} batches acknowledged, ${rows.length / SAMPLES_PER_BATCH} stored (duplicates and unacknowledged-but-committed batches are allowed)`);
  } finally {
    await db.destroy();
  }
}

t.test('SIGKILL during ingest loses no acknowledged batch (PGlite on disk)', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'anc-fleet-sigkill-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await sigkillDuringIngest(t, pgliteStorage(dataDir), dataDir);
});

t.test('SIGKILL during ingest loses no acknowledged batch (PostgreSQL)', { skip: postgresUrl ? false : postgresSkipReason }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'anc-fleet-sigkill-pg-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await sigkillDuringIngest(t, await postgresStorage(postgresUrl!), dataDir);
});

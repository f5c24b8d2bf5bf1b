// The fleet server as the benchmark meets it: its own process (as in production, and so the load
// generator does not share its event loop), PostgreSQL when DATABASE_URL or TEST_DATABASE_URL is
// set (a fresh schema, dropped at the end), else in-memory PGlite. The connect-rate limit is
// raised: the benchmark measures capacity, and all its clients come from 127.0.0.1.
// Talks to run.ts over IPC: 'ready' with ports, then answers 'count' (telemetry samples), 'settle'
// (the broker's presence writes have landed) and 'stop'.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { sql, type Kysely } from 'kysely';
import { hashSecret } from '../../fleet/auth/secret-token.ts';
import { connectDatabase } from '../../fleet/db/connect.ts';
import type { Database } from '../../fleet/db/database.ts';
import { migrateToLatest } from '../../fleet/db/migrate.ts';
import { startFleet } from '../../fleet/server.ts';
import { countTelemetry } from '../../fleet/telemetry/telemetry-repository.ts';
import { createAdmin } from '../../fleet/users/admin-bootstrap.ts';
import { BENCH_SECRET, type ControlMessage, type ServerMessage } from './server-messages.ts';

const devices = Number(process.argv[2] ?? 10000);
const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
let db: Kysely<Database>;
let dropSchema: (() => Promise<void>) | undefined;
if (url) {
  const schema = `fleet_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = connectDatabase({ kind: 'postgres', url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  db = connectDatabase({ kind: 'postgres', url, searchPath: schema, poolSize: 10 });
  dropSchema = async () => {
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
    await admin.destroy();
  };
} else {
  db = connectDatabase({ kind: 'pglite-instance', pglite: new PGlite() });
}
await migrateToLatest(db);

// Devices straight into the tables: provisioning over REST is not what is measured.
const hash = hashSecret(BENCH_SECRET);
for (let i = 0; i < devices; i += 1000) {
  const ids = Array.from({ length: Math.min(1000, devices - i) }, (_, k) => `bench-${i + k}`);
  await db.insertInto('devices').values(ids.map((id) => ({ id, name: id, hardware_revision: null, firmware_version: null, model_version: null, last_seen: null }))).execute();
  await db.insertInto('device_credentials').values(ids.map((id) => ({ device_id: id, secret_hash: hash, revoked_at: null }))).execute();
}

const fleet = await startFleet({
  db,
  jwtSecret: randomBytes(32).toString('hex'),
  port: 0,
  mqttPort: 0,
  host: '127.0.0.1',
  nodeId: `bench-${process.pid}`,
  brokerLimits: { connectRate: { ratePerSecond: 100_000, burst: 100_000 } },
});
const { password } = await createAdmin(db, 'bench-admin');
const token = (await fleet.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'bench-admin', password } })).json().token;
const key = (await fleet.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { authorization: `Bearer ${token}` }, payload: { name: 'bench', role: 'operator' } })).json().key as string;

const send = (m: ServerMessage) => process.send!(m);
process.on('message', async (m: ControlMessage) => {
  if (m.type === 'count') {
    send({ type: 'count', samples: await countTelemetry(db) });
  } else if (m.type === 'settle') {
    await fleet.broker.idle();
    send({ type: 'settled' });
  } else if (m.type === 'stop') {
    await fleet.close();
    await db.destroy();
    await dropSchema?.();
    send({ type: 'stopped' });
    process.disconnect();
  }
});
send({ type: 'ready', api: fleet.url, mqttPort: fleet.mqttPort, apiKey: key, database: url ? 'postgresql' : 'pglite (in memory)', devices });

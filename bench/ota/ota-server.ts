// The fleet server side of `npm run bench:ota`, in a child process so its memory is its own: an
// in-memory PGlite, the real fleet (broker, artifact store, rollout service), N provisioned
// devices, a signed model bundle uploaded through the artifact service. On "start" it creates a
// rollout with the default waves (1/10/50/100 %) and reports when it completed, with the time of
// each wave and the server's peak memory sampled every 100 ms.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { generateSecret, hashSecret } from '../../fleet/auth/secret-token.ts';
import { connectDatabase } from '../../fleet/db/connect.ts';
import { migrateToLatest } from '../../fleet/db/migrate.ts';
import { insertCredential } from '../../fleet/devices/credential-repository.ts';
import { insertDevice } from '../../fleet/devices/device-repository.ts';
import { loadTrustedKeys } from '../../fleet/artifacts/trusted-keys.ts';
import { startFleet } from '../../fleet/server.ts';
import { decodeModelBlob, encodeModelBlob } from '../../firmware/model-blob.ts';
import { sizedModelBlob } from './sized-model.ts';
import { generateSigningKeys, loadPrivateKey, packBundle, signBundle } from '../../host/bundle/index.ts';

export type ToServer = { type: 'start' } | { type: 'stop' };
export type FromServer =
  | { type: 'ready'; mqttPort: number; credentials: Array<{ deviceId: string; secret: string }>; publicKeyPem: string; bundleBytes: number }
  | { type: 'done'; status: string; ms: number; waves: Array<{ size: number; ms: number }>; states: Record<string, number>; rssBefore: number; rssPeak: number; heapPeak: number }
  | { type: 'failed'; message: string };

const devices = Number(process.argv[2] ?? 1000);
const modelPath = process.argv[3];
const send = (m: FromServer) => process.send!(m);

const dir = mkdtempSync(join(tmpdir(), 'anc-bench-ota-'));
const keys = generateSigningKeys();
writeFileSync(join(dir, 'release.pub'), keys.publicKeyPem);
const db = connectDatabase({ kind: 'pglite-instance', pglite: new PGlite() });
await migrateToLatest(db);
const server = await startFleet({
  db,
  jwtSecret: 'bench-secret-that-is-long-enough-for-hs256',
  port: 0,
  mqttPort: 0,
  host: '127.0.0.1',
  nodeId: 'bench-ota',
  // One load generator on 127.0.0.1: the per-address connect rate limit would pace it to 2/s.
  brokerLimits: { connectRate: { ratePerSecond: 1_000_000, burst: 1_000_000 } },
  artifacts: { dir: join(dir, 'artifacts'), trustedKeys: await loadTrustedKeys({ files: [join(dir, 'release.pub')] }) },
  rolloutTickMs: 200,
});

const credentials: Array<{ deviceId: string; secret: string }> = [];
for (let i = 0; i < devices; i++) {
  const deviceId = `ota-${String(i).padStart(5, '0')}`;
  const secret = generateSecret();
  await insertDevice(db, { id: deviceId, name: deviceId, hardwareRevision: 'hp-1', firmwareVersion: '0.1.0', modelVersion: '1.0.0', tags: ['bench-ota'] });
  await insertCredential(db, deviceId, hashSecret(secret));
  credentials.push({ deviceId, secret });
}

// The model (default: 64 KiB, the case, built on the shipped model's features) as a
// version-2.0.0 blob, in a signed model bundle.
const shipped = new Uint8Array(readFileSync(new URL('../../models/default.ancm', import.meta.url)));
const model = decodeModelBlob(modelPath ? new Uint8Array(readFileSync(modelPath)) : sizedModelBlob(shipped));
const blob = encodeModelBlob({ ...model, version: { major: 2, minor: 0, patch: 0 } });
const bundle = signBundle(packBundle({ version: '2.0.0', hardware: ['hp-1'], counter: 1, created: new Date('2026-11-24T00:00:00Z'), artifacts: [{ name: 'model.ancm', type: 'model-blob', bytes: blob }] }), loadPrivateKey(keys.privateKeyPem));
const uploaded = await server.artifacts!.upload(Readable.from([Buffer.from(bundle)]), 'bench');
if (!uploaded.ok) throw new Error(`upload refused: ${uploaded.problem}`);
const artifact = uploaded.artifact.id;

let rssPeak = 0;
let heapPeak = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  rssPeak = Math.max(rssPeak, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed);
}, 100);

async function run(): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  rssPeak = rssBefore;
  const started = performance.now();
  const waveEnds: number[] = [];
  const outcome = await server.rollouts.create({ artifact, target: { tag: 'bench-ota' } }, 'bench');
  if (!outcome.ok) throw new Error(outcome.reason);
  const done = await new Promise<{ status: string }>((resolve) => {
    const check = async () => {
      const row = await db.selectFrom('rollouts').select(['status', 'current_wave']).where('id', '=', outcome.id).executeTakeFirstOrThrow();
      while (waveEnds.length < row.current_wave) waveEnds.push(performance.now() - started);
      if (row.status !== 'running') {
        unsubscribe();
        resolve(row);
      }
    };
    const unsubscribe = server.rollouts.onEvaluated((id) => id === outcome.id && void check());
  });
  const ms = performance.now() - started;
  waveEnds.push(ms);
  const row = await db.selectFrom('rollouts').select('waves').where('id', '=', outcome.id).executeTakeFirstOrThrow();
  const counts = await db.selectFrom('jobs').select(['state']).select((eb) => eb.fn.countAll<number>().as('n')).where('rollout_id', '=', outcome.id).groupBy('state').execute();
  send({
    type: 'done',
    status: done.status,
    ms,
    waves: (row.waves as Array<{ size: number }>).map((w, i) => ({ size: w.size, ms: waveEnds[i] ?? ms })),
    states: Object.fromEntries(counts.map((c) => [c.state, Number(c.n)])),
    rssBefore,
    rssPeak,
    heapPeak,
  });
}

process.on('message', (m: ToServer) => {
  if (m.type === 'start') void run().catch((error: unknown) => send({ type: 'failed', message: (error as Error).message }));
  if (m.type === 'stop') {
    clearInterval(sampler);
    void server.close().then(async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
send({ type: 'ready', mqttPort: server.mqttPort, credentials, publicKeyPem: keys.publicKeyPem, bundleBytes: bundle.length });

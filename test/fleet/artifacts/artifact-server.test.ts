// The artifact store as the real server runs it (startServer, in-process, real HTTP): trusted
// keys from the configuration and from <DATA_DIR>/trusted-keys, the upload limit from the
// configuration, uploads over a socket (a streamed body cut off at the limit), the store-size
// metric, and a restart that finds what was stored.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { ConfigError, loadConfig, type ConfigFlags } from '../../../fleet/config.ts';
import { startServer, type RunningServer } from '../../../fleet/server.ts';
import { eventually } from '../support/fleet-node.ts';
import { scratchDir, signedBundle, writeKeys } from './artifact-fixtures.ts';

const scratch = scratchDir('anc-artifact-server-');
t.teardown(scratch.cleanup);
const dataDir = join(scratch.dir, 'data');
const keyDir = join(scratch.dir, 'keys');
mkdirSync(join(dataDir, 'trusted-keys'), { recursive: true });
mkdirSync(keyDir);
const dropped = writeKeys(join(dataDir, 'trusted-keys'), 'release');
const flagged = writeKeys(keyDir, 'ci');
const LIMIT = 64 * 1024;

let adminPassword = '';
async function start(flags: ConfigFlags = {}): Promise<{ server: RunningServer; log: string[] }> {
  const log: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => (log.push(chunk.toString()), done()) }));
  const config = loadConfig({}, { port: '0', mqttPort: '0', host: '127.0.0.1', dataDir, artifactMaxBytes: String(LIMIT), ...flags });
  const server = await startServer(config, { logger, onFirstAdmin: ({ password }) => (adminPassword = password) });
  return { server, log };
}

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: adminPassword }) });
  return ((await res.json()) as { token: string }).token;
}

const bundle = signedBundle(dropped, { modelBytes: 30_000 });
const id = createHash('sha256').update(bundle).digest('hex');

t.test('keys from <DATA_DIR>/trusted-keys; uploads over HTTP; the limit holds mid-stream', async (t) => {
  const { server, log } = await start();
  t.teardown(() => server.close());
  t.match(log.join(''), new RegExp(`"keyId":"${dropped.keyId}"`), 'the trusted keys are logged at start');
  const auth = { authorization: `Bearer ${await token(server.url)}` };
  const post = (body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/octet-stream' }, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v1/artifacts`, { method: 'POST', headers: { ...auth, ...headers }, body, ...init });

  const created = await post(bundle);
  t.equal(created.status, 201);
  t.equal(((await created.json()) as { id: string }).id, id);

  const untyped = await post(new Blob([bundle]), {});
  t.equal(untyped.status, 415, 'no Content-Type');
  t.match(await untyped.json(), { code: 'UNSUPPORTED_MEDIA_TYPE' });

  const foreign = await post(signedBundle(flagged, { modelBytes: 1000 }));
  t.equal(foreign.status, 422, 'the CI key is not trusted by this start');
  t.match(await foreign.json(), { code: 'BUNDLE_UNKNOWN_KEY' });

  // Chunked transfer (no Content-Length): the server stops reading past the limit.
  let sent = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      sent += 16 * 1024;
      if (sent > 4 * LIMIT) return controller.close();
      controller.enqueue(new Uint8Array(16 * 1024));
    },
  });
  const outcome = await post(endless, { 'content-type': 'application/octet-stream' }, { duplex: 'half' } as RequestInit).then(
    async (res) => ({ status: res.status, body: (await res.json()) as { code: string } }),
    (error: Error) => ({ error }),
  );
  // The reply is written as soon as the limit is passed; Node discards the rest of the body before
  // closing the connection, and a client still sending may see the close first. Either way
  // nothing is stored and the server carries on.
  if ('status' in outcome) t.match(outcome, { status: 413, body: { code: 'ARTIFACT_TOO_LARGE' } });
  else t.pass(`the client saw the connection close first (${outcome.error.message})`);
  t.same(readdirSync(join(dataDir, 'artifacts', 'tmp')), [], 'no partial file');
  t.same(readdirSync(join(dataDir, 'artifacts')).sort(), [`${id}.ancb`, 'tmp']);

  // A client that breaks off mid-upload: logged as refused (not as a server failure), nothing kept.
  const breaking = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bundle.subarray(0, 4096));
      setImmediate(() => controller.error(new Error('the uploader crashed')));
    },
  });
  await t.rejects(post(breaking, { 'content-type': 'application/octet-stream' }, { duplex: 'half' } as RequestInit));
  await eventually(async () => log.some((line) => line.includes('UPLOAD_INTERRUPTED')), 5000, 'the interrupted upload logged');
  t.notOk(log.some((line) => line.includes('"level":50')), 'no error-level log line');
  t.same(readdirSync(join(dataDir, 'artifacts', 'tmp')), [], 'no partial file');

  t.equal((await fetch(`${server.url}/health`)).status, 200, 'still serving');
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  t.match(metrics, new RegExp(`^fleet_artifact_store_bytes ${bundle.length}$`, 'm'));
});

t.test('after a restart with --trusted-key: the stored artifact is there, the new key trusted', async (t) => {
  const { server } = await start({ trustedKey: [flagged.publicKeyPath] });
  t.teardown(() => server.close());
  const auth = { authorization: `Bearer ${await token(server.url)}` };
  const listed = (await (await fetch(`${server.url}/api/v1/artifacts`, { headers: auth })).json()) as { items: Array<{ id: string }> };
  t.same(listed.items.map((a) => a.id), [id]);
  const ci = await fetch(`${server.url}/api/v1/artifacts`, { method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: signedBundle(flagged, { modelBytes: 1000 }) });
  t.equal(ci.status, 201);
  const download = await fetch(`${server.url}/api/v1/artifacts/${id}/content`, { headers: auth });
  t.same(Buffer.from(await download.arrayBuffer()), bundle);
  t.match(await (await fetch(`${server.url}/metrics`)).text(), /^fleet_artifact_store_bytes \d+$/m);
});

t.test('a trusted key file that is not a key stops the start with its name', async (t) => {
  const junk = join(keyDir, 'junk.pem');
  writeFileSync(junk, 'not a key');
  await t.rejects(start({ trustedKey: [junk] }), { name: ConfigError.name, message: /junk\.pem is not a PEM public key/ });
});

t.test('configuration: TRUSTED_KEYS is a comma-separated list, flags win; the limit is bounded', async (t) => {
  t.same(loadConfig({ TRUSTED_KEYS: ' /a.pub, /b.pem ,' }).trustedKeyFiles, ['/a.pub', '/b.pem']);
  t.same(loadConfig({ TRUSTED_KEYS: '/a.pub' }, { trustedKey: ['/c.pub'] }).trustedKeyFiles, ['/c.pub']);
  t.equal(loadConfig({ TRUSTED_KEYS: '' }).trustedKeyFiles, undefined);
  t.equal(loadConfig({ ARTIFACT_MAX_BYTES: '1048576' }).artifactMaxBytes, 1_048_576);
  t.equal(loadConfig({}).artifactMaxBytes, undefined, 'unset: the default applies');
  t.throws(() => loadConfig({ ARTIFACT_MAX_BYTES: '1mb' }), /ARTIFACT_MAX_BYTES \/ --artifact-max-bytes/);
  t.throws(() => loadConfig({}, { artifactMaxBytes: String(512 * 1024 * 1024) }), /ARTIFACT_MAX_BYTES/, 'over the bundle format limit');
});

// Artifacts over REST with real signed bundles: upload (streamed, verified, stored once by
// SHA-256), inspect, list, download, delete, and every way an upload can be wrong. Runs on PGlite,
// and on PostgreSQL when TEST_DATABASE_URL is set.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { artifactRoutes } from '../../../fleet/artifacts/artifact-routes.ts';
import { createArtifactService } from '../../../fleet/artifacts/artifact-service.ts';
import { openFileArtifactStore } from '../../../fleet/artifacts/artifact-store.ts';
import type { Role } from '../../../fleet/db/tables/users.ts';
import { openPglite, openPostgres, postgresSkipReason, postgresUrl, type TestDatabase } from '../support/databases.ts';
import { buildTestApp } from '../support/fleet-app.ts';
import { scratchDir, signedBundle, trustedKeysOf, unsignedBundle, writeKeys } from './artifact-fixtures.ts';

const LIMIT = 256 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function suite(t: Test, open: () => Promise<TestDatabase>): Promise<void> {
  const database = await open();
  t.teardown(database.close);
  const { db } = database;
  const scratch = scratchDir('anc-artifacts-');
  t.teardown(scratch.cleanup);
  const release = writeKeys(scratch.dir, 'release');
  const stranger = writeKeys(scratch.dir, 'stranger');
  const storeDir = join(scratch.dir, 'store');
  const store = await openFileArtifactStore(storeDir);
  const stored: number[] = [];
  const service = createArtifactService({ db, store, trustedKeys: await trustedKeysOf(release), maxUploadBytes: LIMIT, onStoreChanged: (bytes) => stored.push(bytes) });
  const fleet = await buildTestApp(db, { apiPlugins: [{ plugin: artifactRoutes(service), prefix: '/artifacts' }] });
  t.teardown(() => fleet.app.close());

  const upload = (body: Uint8Array | Readable | string, role: Role | null = 'operator', contentType: string | undefined = 'application/octet-stream') =>
    fleet.as(role, { method: 'POST', url: '/api/v1/artifacts', headers: contentType ? { 'content-type': contentType } : {}, payload: body as Buffer });
  const storedFiles = () => readdirSync(storeDir).filter((n) => n !== 'tmp').sort();
  const tempFiles = () => readdirSync(join(storeDir, 'tmp'));
  const rowCount = async () => Number((await db.selectFrom('artifacts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  const bundle = signedBundle(release, { version: '1.4.0' });
  const id = sha256(bundle);

  t.test('a signed bundle is stored once by its SHA-256 and can be inspected, listed and downloaded', async (t) => {
    const created = await upload(bundle);
    t.equal(created.statusCode, 201, created.statusCode === 201 ? 'created' : created.body);
    const artifact = created.json();
    t.match(artifact, { id, size: bundle.length, kind: 'model', version: '1.4.0', hardware: ['hp-1', 'hp-2'], counter: 3, keyId: release.keyId, uploadedBy: 'user:operator' });
    t.same(artifact.artifacts, [{ name: 'classifier.ancm', type: 'model-blob', size: 20_000 }]);
    t.equal(artifact.manifest.artifacts[0].segments.length, Math.ceil(20_000 / 4096), 'the whole manifest, segment hashes included');
    t.ok(Date.parse(artifact.uploadedAt) > 0);
    t.same(storedFiles(), [`${id}.ancb`]);
    t.same(readFileSync(join(storeDir, `${id}.ancb`)), bundle, 'the stored file is the uploaded bytes');
    t.same(tempFiles(), [], 'no temporary file left');
    t.same(stored, [bundle.length], 'the store reported its new size');

    const again = await upload(bundle, 'admin');
    t.equal(again.statusCode, 200, 'the same bytes again: the stored artifact, not a new one');
    t.same(again.json(), artifact, 'unchanged, uploadedBy included');
    t.equal(await rowCount(), 1);
    t.same(storedFiles(), [`${id}.ancb`]);
    t.same(stored, [bundle.length], 'no bytes added');

    const inspected = await fleet.as('viewer', { url: `/api/v1/artifacts/${id}` });
    t.equal(inspected.statusCode, 200);
    t.same(inspected.json(), artifact);

    const listed = await fleet.as('viewer', { url: '/api/v1/artifacts' });
    t.equal(listed.statusCode, 200);
    const { manifest: _manifest, ...summary } = artifact;
    t.same(listed.json(), { items: [summary], nextCursor: null }, 'a list item is the artifact without its manifest');

    const content = await fleet.as('operator', { url: `/api/v1/artifacts/${id}/content` });
    t.equal(content.statusCode, 200);
    t.equal(content.headers['content-type'], 'application/octet-stream');
    t.equal(Number(content.headers['content-length']), bundle.length);
    t.match(content.headers['content-disposition'], /^attachment; filename="model-1\.4\.0-[0-9a-f]{12}\.ancb"$/);
    t.same(content.rawPayload, bundle, 'download gives back the exact bytes');
  });

  t.test('a bundle that fails any check is refused with its reason; nothing is stored', async (t) => {
    const unsigned = Buffer.from(unsignedBundle({ version: '2.0.0' }));
    const tamperedArtifact = Buffer.from(signedBundle(release, { version: '2.0.1' }));
    tamperedArtifact[tamperedArtifact.length - 100] ^= 0xff;
    const tamperedSignature = Buffer.from(signedBundle(release, { version: '2.0.2' }));
    // The signature block sits right before the artifact area, which starts 20 000 bytes (+ padding) from the end.
    tamperedSignature[tamperedSignature.length - 20_000 - 10] ^= 0x01;
    const cases: Array<[string, Uint8Array | string, number, string, RegExp]> = [
      ['tampered artifact bytes', tamperedArtifact, 422, 'BUNDLE_HASH_MISMATCH', /segment \d+ does not match/],
      ['tampered signature', tamperedSignature, 422, 'BUNDLE_BAD_SIGNATURE', /does not verify/],
      ['signed by an untrusted key', signedBundle(stranger, { version: '2.0.3' }), 422, 'BUNDLE_UNKNOWN_KEY', new RegExp(`key ${stranger.keyId}, which is not trusted`)],
      ['unsigned', unsigned, 422, 'BUNDLE_UNSIGNED', /not signed/],
      ['truncated', bundle.subarray(0, bundle.length - 1000), 422, 'BUNDLE_TRUNCATED', /shorter|truncated|bytes/],
      ['garbage', Buffer.from('this is not a bundle at all, just some text of a decent length'), 422, 'BUNDLE_BAD_MAGIC', /./],
      ['empty body', Buffer.alloc(0), 422, 'BUNDLE_TRUNCATED', /./],
      ['trailing bytes', Buffer.concat([bundle, Buffer.alloc(8)]), 422, 'BUNDLE_MALFORMED', /./],
    ];
    for (const [what, body, status, code, message] of cases) {
      const res = await upload(body);
      t.equal(res.statusCode, status, res.statusCode === status ? what : `${what}: ${res.body}`);
      t.equal(res.json().code, code, what);
      t.match(res.json().message, message, what);
      t.same(tempFiles(), [], `${what}: temporary file removed`);
    }
    t.same(storedFiles(), [`${id}.ancb`], 'only the good bundle is stored');
    t.equal(await rowCount(), 1);
    t.equal((await fleet.as('viewer', { url: `/api/v1/artifacts/${id}` })).statusCode, 200, 'the server still answers');
  });

  t.test('size limit: by Content-Length up front, and mid-stream when there is none', async (t) => {
    const big = signedBundle(release, { version: '3.0.0', modelBytes: LIMIT + 10_000 });
    const declared = await upload(big);
    t.equal(declared.statusCode, 413);
    t.equal(declared.json().code, 'ARTIFACT_TOO_LARGE');
    t.match(declared.json().message, `${LIMIT} bytes`);
    t.equal(declared.headers.connection, 'close', 'the unread body is not drained');

    let pulled = 0;
    const endless = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++) {
          pulled += 64 * 1024;
          yield Buffer.alloc(64 * 1024, i);
        }
      })(),
    );
    const streamed = await upload(endless);
    t.equal(streamed.statusCode, 413, 'refused mid-stream');
    t.equal(streamed.json().code, 'ARTIFACT_TOO_LARGE');
    t.ok(pulled < 64 * 64 * 1024, `reading stopped at the limit (${pulled} bytes pulled of ${64 * 64 * 1024})`);
    t.same(tempFiles(), [], 'the partial file is removed');
    t.same(storedFiles(), [`${id}.ancb`]);

    const fits = signedBundle(release, { version: '3.0.1', modelBytes: LIMIT - 10_000 });
    t.equal((await upload(Readable.from([fits.subarray(0, 1000), fits.subarray(1000)]))).statusCode, 201, 'a streamed body under the limit is fine');
    t.equal((await fleet.as('operator', { method: 'DELETE', url: `/api/v1/artifacts/${sha256(fits)}` })).statusCode, 204);
  });

  t.test('content type: only the raw bundle', async (t) => {
    for (const type of ['application/json', 'multipart/form-data; boundary=x', 'text/plain']) {
      const res = await upload(type === 'application/json' ? '{"bundle": 1}' : bundle, 'operator', type);
      t.equal(res.statusCode, 415, `${type}`);
      t.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE');
      t.match(res.json().message, /application\/octet-stream/);
    }
    t.equal((await upload(bundle, 'operator', 'Application/Octet-Stream; charset=binary')).statusCode, 200, 'parameters and case do not matter');
    t.same(tempFiles(), []);
  });

  t.test('roles: operators upload, download and delete; viewers read; nobody else', async (t) => {
    t.equal((await upload(bundle, 'viewer')).statusCode, 403);
    t.equal((await upload(bundle, null)).statusCode, 401);
    t.equal((await fleet.as(null, { url: '/api/v1/artifacts' })).statusCode, 401);
    t.equal((await fleet.as('viewer', { url: `/api/v1/artifacts/${id}/content` })).statusCode, 403);
    t.equal((await fleet.as('viewer', { method: 'DELETE', url: `/api/v1/artifacts/${id}` })).statusCode, 403);
    t.equal((await fleet.as('viewer', { url: `/api/v1/artifacts/${'0'.repeat(64)}` })).statusCode, 404);
    const badId = await fleet.as('viewer', { url: '/api/v1/artifacts/not-a-hash' });
    t.equal(badId.statusCode, 400);
    t.equal(badId.json().code, 'VALIDATION_FAILED');
    t.equal(await rowCount(), 1);
  });

  t.test('list pages newest first, filters by kind, refuses foreign cursors', async (t) => {
    const more = ['5.0.0', '5.0.1', '5.0.2'].map((version, i) => signedBundle(release, { version, seed: 100 + i, modelBytes: 1000 }));
    for (const b of more) t.equal((await upload(b)).statusCode, 201);
    const firmware = signedBundle(release, { over: { version: '9.0.0', artifacts: [{ name: 'fw.wasm', type: 'firmware-wasm', bytes: Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) }] } });
    t.equal((await upload(firmware)).statusCode, 201);
    const ids: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = (await fleet.as('viewer', { url: '/api/v1/artifacts', query: { limit: '2', ...(cursor ? { cursor } : {}) } })).json();
      t.ok(page.items.length <= 2);
      ids.push(...page.items.map((a: { id: string }) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    t.same(ids, [firmware, ...more.reverse(), bundle].map(sha256), 'newest first, every artifact once');
    const models = (await fleet.as('viewer', { url: '/api/v1/artifacts', query: { kind: 'model' } })).json();
    t.equal(models.items.length, 4);
    t.ok(models.items.every((a: { kind: string }) => a.kind === 'model'));
    t.equal((await fleet.as('viewer', { url: '/api/v1/artifacts', query: { kind: 'other' } })).statusCode, 400);
    const foreign = Buffer.from(JSON.stringify({ k: 'nope' })).toString('base64url');
    t.equal((await fleet.as('viewer', { url: '/api/v1/artifacts', query: { cursor: foreign } })).json().code, 'BAD_CURSOR');
    for (const b of [...more, firmware]) await fleet.as('operator', { method: 'DELETE', url: `/api/v1/artifacts/${sha256(b)}` });
  });

  t.test('delete removes row and file; a bundle a rollout references is kept (409)', async (t) => {
    const other = signedBundle(release, { version: '6.0.0', seed: 60 });
    const otherId = sha256(other);
    t.equal((await upload(other)).statusCode, 201);
    // Stands in for the rollouts table: any row referencing the artifact with ON DELETE RESTRICT.
    await sql`create table artifact_users (artifact_id text not null references artifacts(id) on delete restrict)`.execute(db);
    t.teardown(() => sql`drop table artifact_users`.execute(db));
    await sql`insert into artifact_users values (${otherId})`.execute(db);
    const inUse = await fleet.as('admin', { method: 'DELETE', url: `/api/v1/artifacts/${otherId}` });
    t.equal(inUse.statusCode, 409);
    t.equal(inUse.json().code, 'ARTIFACT_IN_USE');
    t.ok(existsSync(join(storeDir, `${otherId}.ancb`)), 'the file stays');
    t.equal((await fleet.as('viewer', { url: `/api/v1/artifacts/${otherId}` })).statusCode, 200, 'the row stays');
    await sql`delete from artifact_users`.execute(db);
    t.equal((await fleet.as('operator', { method: 'DELETE', url: `/api/v1/artifacts/${otherId}` })).statusCode, 204);
    t.notOk(existsSync(join(storeDir, `${otherId}.ancb`)), 'the file is gone');
    t.equal((await fleet.as('operator', { method: 'DELETE', url: `/api/v1/artifacts/${otherId}` })).statusCode, 404);
    t.equal((await fleet.as('operator', { url: `/api/v1/artifacts/${otherId}/content` })).statusCode, 404);
    t.equal((await upload(other)).statusCode, 201, 'uploading it again stores it anew');
    t.same(storedFiles(), [`${id}.ancb`, `${otherId}.ancb`].sort());
    t.equal(stored.at(-1), bundle.length + other.length, 'the store size follows uploads and deletions');
  });

  t.test('concurrent uploads of the same bytes store one file and one row', async (t) => {
    const same = signedBundle(release, { version: '7.0.0', seed: 70 });
    const answers = await Promise.all([upload(same), upload(same), upload(same)]);
    t.same(answers.map((r) => r.statusCode).sort(), [200, 200, 201]);
    t.equal(new Set(answers.map((r) => r.json().id)).size, 1);
    t.equal(storedFiles().filter((n) => n === `${sha256(same)}.ancb`).length, 1);
    t.same(tempFiles(), []);
  });

  t.test('the OpenAPI document describes the routes, the upload as a raw body', async (t) => {
    const doc = (await fleet.app.inject({ url: '/docs/json' })).json();
    t.same(Object.keys(doc.paths).filter((p: string) => p.startsWith('/api/v1/artifacts')).sort(), ['/api/v1/artifacts', '/api/v1/artifacts/{id}', '/api/v1/artifacts/{id}/content']);
    t.ok(doc.paths['/api/v1/artifacts'].post.responses['422'], 'bundle refusals are documented');
  });

  t.test('a server without trusted keys refuses uploads, and says how to fix it', async (t) => {
    const keyless = createArtifactService({ db, store, trustedKeys: [], maxUploadBytes: LIMIT });
    const app = await buildTestApp(db, { apiPlugins: [{ plugin: artifactRoutes(keyless), prefix: '/artifacts' }] }, 'keyless-');
    t.teardown(() => app.app.close());
    const res = await app.as('operator', { method: 'POST', url: '/api/v1/artifacts', headers: { 'content-type': 'application/octet-stream' }, payload: signedBundle(release, { version: '8.0.0' }) });
    t.equal(res.statusCode, 409);
    t.equal(res.json().code, 'NO_TRUSTED_KEYS');
    t.match(res.json().message, /TRUSTED_KEYS/);
    t.same(tempFiles(), []);
    t.equal((await app.as('viewer', { url: `/api/v1/artifacts/${id}` })).statusCode, 200, 'reading still works');
  });
}

t.test('PGlite', (t) => suite(t, openPglite));
t.test('PostgreSQL', { skip: postgresUrl ? false : postgresSkipReason }, (t) => suite(t, () => openPostgres(postgresUrl!)));

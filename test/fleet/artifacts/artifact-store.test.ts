// The filesystem artifact store alone: streamed receive with a limit, atomic commit, range reads,
// removal, and what a restart finds (leftover temporary files, the stored byte count).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t from 'tap';
import { openFileArtifactStore, type ReceivedUpload } from '../../../fleet/artifacts/artifact-store.ts';
import { seededRandom } from '../../host/seeded-random.ts';
import { scratchDir } from './artifact-fixtures.ts';

const bytes = Buffer.from(seededRandom(5).bytes(50_000));
const id = createHash('sha256').update(bytes).digest('hex');
const chunked = (b: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));

t.test('receive hashes while streaming; commit makes it visible under its SHA-256', async (t) => {
  const { dir, cleanup } = scratchDir('anc-store-');
  t.teardown(cleanup);
  const store = await openFileArtifactStore(dir);
  const received = await store.receive(chunked(bytes, 7000), 1 << 20);
  if (!received.ok) throw new Error('refused');
  t.equal(received.upload.sha256, id);
  t.equal(received.upload.size, bytes.length);
  t.same(await store.readUpload(received.upload), bytes);
  t.equal(await store.read(id, 0, 10), undefined, 'not visible before commit');
  t.equal(await store.commit(received.upload), true, 'new');
  t.equal(store.bytesStored(), bytes.length);
  await store.discard(received.upload);
  t.same(readdirSync(join(dir, 'tmp')), []);
  t.same(readFileSync(join(dir, `${id}.ancb`)), bytes);

  t.same(await store.read(id, 0, 16), bytes.subarray(0, 16));
  t.same(await store.read(id, 49_990, 100), bytes.subarray(49_990), 'short at the end');
  t.same(await store.read(id, 60_000, 100), Buffer.alloc(0), 'nothing past the end');
  const content = await store.openContent(id);
  const streamed: Buffer[] = [];
  for await (const chunk of content!) streamed.push(chunk as Buffer);
  t.same(Buffer.concat(streamed), bytes);

  const again = await store.receive(chunked(bytes, 50_000), 1 << 20);
  t.equal(again.ok && (await store.commit(again.upload)), false, 'the same bytes again are not new');
  t.equal(store.bytesStored(), bytes.length, 'and not counted twice');

  t.equal(await store.remove(id), true);
  t.equal(await store.remove(id), false);
  t.equal(store.bytesStored(), 0);
  t.equal(await store.read(id, 0, 1), undefined);
  t.equal(await store.openContent(id), undefined);
});

t.test('an upload over the limit stops reading and leaves no file', async (t) => {
  const { dir, cleanup } = scratchDir('anc-store-');
  t.teardown(cleanup);
  const store = await openFileArtifactStore(dir);
  const body = chunked(bytes, 1000);
  const outcome = await store.receive(body, 10_000);
  t.same(outcome, { ok: false, reason: 'too-large', bytesRead: 11_000 });
  t.same(readdirSync(join(dir, 'tmp')), []);
  t.notOk(body.destroyed, 'the body stream is left for the caller (the HTTP reply still has to go out)');
  t.equal((await store.receive(chunked(bytes.subarray(0, 10_000), 999), 10_000)).ok, true, 'exactly the limit is fine');
});

t.test('a body that fails mid-way leaves no file', async (t) => {
  const { dir, cleanup } = scratchDir('anc-store-');
  t.teardown(cleanup);
  const store = await openFileArtifactStore(dir);
  const failing = new Readable({
    read() {
      this.push(Buffer.alloc(1000));
      this.destroy(new Error('client went away'));
    },
  });
  await t.rejects(store.receive(failing, 1 << 20), /client went away/);
  t.same(readdirSync(join(dir, 'tmp')), []);
});

t.test('reopening removes leftover temporary files and counts what is stored', async (t) => {
  const { dir, cleanup } = scratchDir('anc-store-');
  t.teardown(cleanup);
  const first = await openFileArtifactStore(dir);
  const received = await first.receive(chunked(bytes, 4096), 1 << 20);
  await first.commit((received as { upload: ReceivedUpload }).upload);
  writeFileSync(join(dir, 'tmp', 'crashed.part'), 'half an upload');
  writeFileSync(join(dir, 'notes.txt'), 'not an artifact');
  const second = await openFileArtifactStore(dir);
  t.notOk(existsSync(join(dir, 'tmp', 'crashed.part')));
  t.equal(second.bytesStored(), bytes.length, 'only artifact files count');
  await t.rejects(second.read('../notes', 0, 1), /not an artifact id/, 'ids never become arbitrary paths');
});

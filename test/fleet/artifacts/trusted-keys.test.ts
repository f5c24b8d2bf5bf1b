// The keys bundle uploads must be signed by: PEM files and a directory, read once at start.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadTrustedKeys } from '../../../fleet/artifacts/trusted-keys.ts';
import { ConfigError } from '../../../fleet/config.ts';
import { generateSigningKeys } from '../../../host/bundle/index.ts';
import { scratchDir, writeKeys } from './artifact-fixtures.ts';

t.test('keys from files and a directory, deduplicated by key id', async (t) => {
  const { dir, cleanup } = scratchDir('anc-keys-');
  t.teardown(cleanup);
  const a = writeKeys(dir, 'a');
  const keyDir = join(dir, 'trusted');
  const b = writeKeys(dir, 'b');
  mkdirSync(keyDir);
  writeFileSync(join(keyDir, 'b.pem'), b.publicKeyPem);
  writeFileSync(join(keyDir, 'a-again.pub'), a.publicKeyPem);
  writeFileSync(join(keyDir, 'README'), 'ignored: neither .pem nor .pub');
  const keys = await loadTrustedKeys({ files: [a.publicKeyPath], dir: keyDir });
  t.same(keys.map((k) => k.keyId).sort(), [a.keyId, b.keyId].sort());
  t.same(await loadTrustedKeys({ files: [], dir: join(dir, 'absent') }), [], 'a missing directory is no keys');
});

t.test('a file that is missing or not an Ed25519 key stops the start, naming the file', async (t) => {
  const { dir, cleanup } = scratchDir('anc-keys-');
  t.teardown(cleanup);

  const rsa = join(dir, 'rsa.pem');
  writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'junk.pem'), 'not a key');
  await t.rejects(loadTrustedKeys({ files: [rsa] }), { name: 'ConfigError', message: /rsa\.pem is a rsa key.*Ed25519/ });
  await t.rejects(loadTrustedKeys({ files: [join(dir, 'junk.pem')] }), { message: /junk\.pem is not a PEM public key/ });
  await t.rejects(loadTrustedKeys({ files: [join(dir, 'missing.pub')] }), new ConfigError([`trusted key ${join(dir, 'missing.pub')}: no such file`]));
  const priv = join(dir, 'private.pem');
  writeFileSync(priv, generateSigningKeys().privateKeyPem);
  t.equal((await loadTrustedKeys({ files: [priv] })).length, 1, 'a private key file yields its public half');
});

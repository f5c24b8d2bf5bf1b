// One full flow through the real executable: keygen -> pack -> inspect, and a tampered file.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firmware } from '../bundle/bundle-fixtures.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const dir = t.testdir({ 'firmware.wasm': Buffer.from(firmware) });
const anc = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'anc.js'), ...args], { encoding: 'utf8', cwd: dir });

t.test('keygen, pack, inspect; a tampered bundle exits 2', async (t) => {
  const keygen = anc('keygen', '--out', 'keys', '--json');
  t.equal(keygen.status, 0, keygen.stderr);
  const keyId = JSON.parse(keygen.stdout).keyId;

  const pack = anc('pack', '--firmware', 'firmware.wasm', '--version', '1.2.3', '--hardware', 'hp-1,hp-2', '--counter', '5', '--key', 'keys/anc-signing.key', '--out', 'x.ancb');
  t.equal(pack.status, 0, pack.stderr);
  t.match(pack.stdout, /signed by/);

  const inspect = anc('inspect', 'x.ancb', '--key', 'keys/anc-signing.pub', '--json');
  t.equal(inspect.status, 0, inspect.stderr);
  t.match(JSON.parse(inspect.stdout), { ok: true, verified: true, keyId, version: '1.2.3', counter: 5 });

  const bytes = readFileSync(join(dir, 'x.ancb'));
  bytes[bytes.length - 10] ^= 0xff;
  writeFileSync(join(dir, 'tampered.ancb'), bytes);
  const tampered = anc('inspect', 'tampered.ancb', '--key', 'keys/anc-signing.pub');
  t.equal(tampered.status, 2);
  t.equal(tampered.stdout, '');
  t.match(tampered.stderr, /^anc: artifact 'firmware.wasm' segment \d+ does not match its SHA-256.*\n$/);
  t.notMatch(tampered.stderr, /\n\s+at /, 'no stack trace');
});

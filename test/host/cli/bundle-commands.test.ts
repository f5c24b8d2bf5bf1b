import t from 'tap';
import { statSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInspect, formatInspect } from '../../../host/cli/inspect.ts';
import { runKeygen } from '../../../host/cli/keygen.ts';
import { main, type CliIo } from '../../../host/cli/main.ts';
import { runPack } from '../../../host/cli/pack.ts';
import { runSign } from '../../../host/cli/sign.ts';
import { firmware } from '../bundle/bundle-fixtures.ts';

const dir = t.testdir({ 'fw.wasm': Buffer.from(firmware), 'c.json': '{"a":1}', 'bad.json': '{', 'not.wasm': 'hello' });
const p = (f: string) => join(dir, f);

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: { SOURCE_DATE_EPOCH: '1700000000' } };
}

t.test('keygen -> pack -> sign -> inspect as functions', async (t) => {
  const k = runKeygen({ outDir: p('keys') });
  t.equal(statSync(k.privateKey).mode & 0o777, 0o600, 'private key is 0600');
  t.throws(() => runKeygen({ outDir: p('keys') }), { exitCode: 4, message: /--force/ }, 'never overwrites silently');
  const packed = runPack({ firmware: p('fw.wasm'), config: p('c.json'), version: '2.0.0', hardware: ['hp-1'], counter: 3, out: p('u.ancb') });
  t.match(packed, { kind: 'combined', signed: false, artifacts: 2 });
  t.match(runInspect({ bundle: p('u.ancb') }), { signed: false, verified: false });
  t.throws(() => runInspect({ bundle: p('u.ancb'), keyPaths: [k.publicKey] }), { code: 'unsigned' });
  t.match(runSign({ bundle: p('u.ancb'), keyPath: k.privateKey, out: p('s.ancb') }), { keyId: k.keyId });
  const report = runInspect({ bundle: p('s.ancb'), keyPaths: [k.publicKey], hardwareRevision: 'hp-1', minCounter: 3 });
  t.match(report, { signed: true, verified: true, keyId: k.keyId, version: '2.0.0' });
  t.match(formatInspect(report), /signature {2}valid, key/);
});

t.test('pack refuses files that are not what they claim', async (t) => {
  t.throws(() => runPack({ firmware: p('not.wasm'), version: '1.0.0', hardware: ['x'], counter: 0, out: p('x.ancb') }), { code: 'invalid-input', message: /WebAssembly/ });
  t.throws(() => runPack({ config: p('bad.json'), version: '1.0.0', hardware: ['x'], counter: 0, out: p('x.ancb') }), { code: 'invalid-input', message: /JSON/ });
  t.throws(() => runPack({ firmware: p('fw.wasm'), version: '1.0.0', hardware: ['x'], counter: 0, keyPath: p('c.json'), out: p('x.ancb') }), { code: 'invalid-key' });
});

t.test('main: --json lines, exit codes, one-line errors', async (t) => {
  const io = capture();
  t.equal(await main(['pack', '--firmware', p('fw.wasm'), '--version', '1.0.0', '--hardware', 'hp-1,hp-2', '--counter', '1', '--out', p('m.ancb'), '--json'], io), 0);
  const line = JSON.parse(io.out[0]);
  t.match(line, { ok: true, command: 'pack', kind: 'firmware', signed: false });
  t.equal(JSON.parse(readFileSync(p('m.ancb')).subarray(32, 32 + new DataView(readFileSync(p('m.ancb')).buffer).getUint32(12, true)).toString()).created, '2023-11-14T22:13:20.000Z', 'SOURCE_DATE_EPOCH');

  const usage = capture();
  t.equal(await main(['pack', '--counter', 'x', '--json'], usage), 1);
  t.match(JSON.parse(usage.out[0]), { ok: false, exitCode: 1, error: { code: 'usage' } });

  const missing = capture();
  t.equal(await main(['inspect', p('nope.ancb')], missing), 4);
  t.equal(missing.err.length, 1);
  t.match(missing.err[0], /^anc: .*nope\.ancb: no such file/);

  writeFileSync(p('junk.ancb'), 'junk');
  const junk = capture();
  t.equal(await main(['inspect', p('junk.ancb'), '--json'], junk), 2);
  t.match(JSON.parse(junk.out[0]), { ok: false, exitCode: 2, error: { code: 'bad-magic' } });
});

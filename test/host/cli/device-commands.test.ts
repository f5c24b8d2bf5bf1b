// The device commands through main(): over the in-memory pair for most, and one full flash over a
// real socat pseudo-terminal against `anc-sim device`'s serve function.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, type CliIo } from '../../../host/cli/main.ts';
import { createMemoryPair } from '../../../host/transport/memory-pair.ts';
import { socatAvailable } from '../../../host/transport/socat-pty-pair.ts';
import { VirtualHeadset } from '../../../simulator/device/virtual-headset.ts';
import { serveDeviceOnPty } from '../../../simulator/cli/device-command.ts';
import { bundle, keys, tempDir } from '../../simulator/device/headset-rig.ts';

function cli(extra: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: {}, ...extra };
  return { io, out, err };
}

/** A fresh in-memory headset per opened port, all on one flash file (each command reconnects). */
function memoryDevice(flashFile: string) {
  const headsets: VirtualHeadset[] = [];
  return {
    open: async () => {
      const pair = createMemoryPair();
      headsets.push(new VirtualHeadset({ transport: pair.b, flashFile, trustedKeys: [keys.publicKey] }));
      return pair.a;
    },
    shutdown: () => Promise.all(headsets.map((h) => h.shutdown())),
  };
}

t.test('info, flash --json, verify, config, calibrate, rollback over the in-memory pair', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const dev = memoryDevice(join(dir, 'flash.bin'));
  t.teardown(dev.shutdown);
  const b1 = join(dir, 'v1.ancb');
  writeFileSync(b1, bundle());
  writeFileSync(join(dir, 'v2.ancb'), bundle({ version: '1.1.0' }));
  writeFileSync(join(dir, 'pub.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
  const run = async (...args: string[]) => {
    const c = cli({ openTransport: dev.open });
    const code = await main([...args, '--port', 'mem'], c.io);
    return { code, ...c };
  };
  let r = await run('flash', b1, '--json', '--key', join(dir, 'pub.pem'));
  t.equal(r.code, 0, r.err.join('\n'));
  const lines = r.out.map((l) => JSON.parse(l));
  t.ok(lines.some((l) => l.event === 'progress'), 'progress lines');
  t.match(lines.at(-1), { ok: true, command: 'flash', version: '1.0.0', confirmed: true });
  r = await run('info');
  t.match(r.out.join('\n'), /firmware\s+1\.0\.0/);
  r = await run('verify', join(dir, 'v2.ancb'), '--json');
  t.match(JSON.parse(r.out[0]), { ok: true, installed: false });
  r = await run('config', 'set', 'algorithm', 'fxlms');
  t.equal(r.code, 0);
  r = await run('config', 'get', 'algorithm', '--json');
  t.match(JSON.parse(r.out[0]), { value: 'fxlms' });
  r = await run('calibrate', '--procedure', 'secondary-path', '--report', join(dir, 'cal.json'));
  t.equal(r.code, 0, r.err.join('\n'));
  t.ok(JSON.parse(readFileSync(join(dir, 'cal.json'), 'utf8')).metrics.misalignmentDb <= -25);
  await run('flash', join(dir, 'v2.ancb'));
  r = await run('rollback');
  t.match(r.out[0], /running 1\.0\.0/);
});

t.test('errors say what to do and exit with the documented codes', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  let c = cli();
  t.equal(await main(['info'], c.io), 1, 'no port is a usage error');
  t.match(c.err[0], /--port/);
  c = cli({ listPorts: async () => Promise.reject(new Error('spawn udevadm ENOENT')) });
  t.equal(await main(['ports'], c.io), 3);
  t.match(c.err[0], /udevadm.*--port/);
  c = cli();
  t.equal(await main(['info', '--port', '/dev/no-such-port'], c.io), 3);
  t.match(c.err[0], /cannot open/);
  const dev = memoryDevice(join(dir, 'flash.bin'));
  t.teardown(dev.shutdown);
  writeFileSync(join(dir, 'hw.ancb'), bundle({ hardware: ['hp-9'] }));
  c = cli({ openTransport: dev.open });
  t.equal(await main(['flash', join(dir, 'hw.ancb'), '--port', 'mem'], c.io), 2, 'a refused bundle exits 2');
  t.match(c.err[0], /the device refused.*hp-9/);
});

const hasSocat = await socatAvailable();
t.test('full flash over a real pseudo-terminal (anc-sim device --pty)', { skip: hasSocat ? false : 'socat is not installed: install it (apt-get install socat)' }, async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(join(dir, 'pub.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'v1.ancb'), bundle());
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const lines: string[] = [];
  const ready = new Promise<string>((resolve) =>
    void serveDeviceOnPty({ flash: join(dir, 'flash.bin'), key: [join(dir, 'pub.pem')], hardware: 'hp-1', deviceId: 'pty-1', plant: 'earcup-closed' }, {
      stdout: (l) => {
        lines.push(l);
        if (l.startsWith('{')) resolve(JSON.parse(l).port as string);
      },
      stopped,
    }),
  );
  const port = await ready;
  t.ok(existsSync(port));
  const c = cli();
  const code = await main(['flash', join(dir, 'v1.ancb'), '--port', port, '--baud', '921600', '--json'], c.io);
  t.equal(code, 0, c.out.join('\n') + c.err.join('\n'));
  t.match(JSON.parse(c.out.at(-1)!), { ok: true, confirmed: true });
  const info = cli();
  t.equal(await main(['info', '--port', port, '--json'], info.io), 0);
  t.match(JSON.parse(info.out[0]), { deviceId: 'pty-1', firmwareVersion: '1.0.0', mode: 'application' });
  stop();
});

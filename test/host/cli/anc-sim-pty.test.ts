// The two real executables end to end: `anc-sim device --pty` serves a virtual headset on a socat
// pseudo-terminal, `anc info --port <path>` talks to it over node-serialport.
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { socatAvailable } from '../../../host/transport/socat-pty-pair.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);

t.test('anc info --port reaches a spawned anc-sim device --pty', { skip: (await socatAvailable()) ? false : 'socat is not installed: install it (apt-get install socat)' }, async (t) => {
  const dir = t.testdir({});
  const device = spawn(process.execPath, [join(root, 'bin', 'anc-sim.js'), 'device', '--pty', '--flash', join(dir, 'flash.bin'), '--device-id', 'spawned-1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(device, 'exit');
  t.teardown(async () => {
    if (device.exitCode === null && device.signalCode === null) {
      device.kill('SIGINT'); // the device's own stop: shuts the headset, the port and socat down
      await exited;
    }
  });
  // The device prints one JSON line with the port once it serves; wait for it, with a deadline.
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('anc-sim device printed no port within 15 s')), 15_000);
    device.once('exit', (code) => reject(new Error(`anc-sim device exited (${code}) before it was ready`)));
    createInterface({ input: device.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: string }).port);
    });
  });
  t.match(port, /^\/dev\/pts\/\d+$/);
  const info = await run(process.execPath, [join(root, 'bin', 'anc.js'), 'info', '--port', port, '--json'], { timeout: 15_000 });
  t.match(JSON.parse(info.stdout), { ok: true, command: 'info', deviceId: 'spawned-1', mode: 'bootloader', firmwareVersion: '' });
  device.kill('SIGINT');
  const [code] = await exited;
  t.equal(code, 0, 'the device stops cleanly on SIGINT');
});

// `anc-fleet` end to end, as an operator runs it: first start prints an admin password,
// the server answers, SIGTERM shuts it down cleanly, the JWT secret and data survive a
// restart, and create-admin adds an admin to the stopped server's data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import t from 'tap';

const bin = new URL('../../bin/anc-fleet.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'anc-fleet-cli-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
// Isolated from the caller's environment: PGlite in the temp dir, never port 8080.
const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' };

interface Served {
  child: ChildProcess;
  url: string;
  output: string[];
}

/** Starts `serve` and resolves once it logs its address; fails if it exits or takes too long. */
function serve(): Promise<Served> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--mqtt-port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], { env });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "listening" line within 60 s:\n${output.join('')}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output.join('')}`));
    });
  });
}

async function stop(served: Served): Promise<number | null> {
  served.child.removeAllListeners('exit');
  const exited = once(served.child, 'exit');
  served.child.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}

async function loginAs(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

let token = '';
let opsPassword = '';

t.test('first start prints an admin password once, serves, and stops on SIGTERM', async (t) => {
  const served = await serve();
  t.teardown(() => served.child.kill('SIGKILL'));
  const printed = /created admin user "admin" with password: (\S+)/.exec(served.output.join(''));
  t.ok(printed, 'the password is printed');
  const health = await fetch(`${served.url}/health`);
  t.equal(health.status, 200);
  t.match(await health.json(), { status: 'ok', database: { status: 'up' } });
  const res = await loginAs(served.url, 'admin', printed![1]!);
  t.equal(res.status, 200);
  token = ((await res.json()) as { token: string }).token;
  const metrics = await (await fetch(`${served.url}/metrics`)).text();
  t.match(metrics, /process_cpu_user_seconds_total/, 'the real server exports process metrics');
  t.equal(await stop(served), 0, 'graceful exit');
  t.match(served.output.join(''), /"signal":"SIGTERM".*shutting down/);
});

t.test('create-admin adds an admin; refuses a duplicate and a short password', async (t) => {
  const created = spawnSync(process.execPath, [bin, 'create-admin', '--username', 'ops', '--data-dir', dataDir], { env, encoding: 'utf8' });
  t.equal(created.status, 0, created.stderr);
  t.match(created.stdout, /created admin "ops" with password: \S+/);
  const dup = spawnSync(process.execPath, [bin, 'create-admin', '--username', 'ops', '--password', 'longenough', '--data-dir', dataDir], { env, encoding: 'utf8' });
  t.equal(dup.status, 1);
  t.match(dup.stderr, /user "ops" already exists/);
  const short = spawnSync(process.execPath, [bin, 'create-admin', '--username', 'x', '--password', 'short', '--data-dir', dataDir], { env, encoding: 'utf8' });
  t.equal(short.status, 1);
  t.match(short.stderr, /at least 8/);
  const missing = spawnSync(process.execPath, [bin, 'create-admin', '--data-dir', dataDir], { env, encoding: 'utf8' });
  t.not(missing.status, 0);
  t.match(missing.stderr, /--username/);
  t.ok(created.stdout.match(/password: (\S+)/));
  opsPassword = /password: (\S+)/.exec(created.stdout)![1]!;
});

t.test('a restart keeps users and tokens and prints no password', async (t) => {
  const served = await serve();
  t.teardown(() => served.child.kill('SIGKILL'));
  t.notMatch(served.output.join(''), /password/);
  const me = await fetch(`${served.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(me.status, 200, 'a token from before the restart is still valid');
  t.equal((await loginAs(served.url, 'ops', opsPassword)).status, 200);
  t.equal(await stop(served), 0);
});

t.test('bad configuration is refused with a clear message', async (t) => {
  const res = spawnSync(process.execPath, [bin, 'serve', '--port', 'eighty', '--data-dir', dataDir], { env, encoding: 'utf8' });
  t.equal(res.status, 2);
  t.match(res.stderr, /PORT \/ --port/);
});

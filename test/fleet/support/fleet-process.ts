// The real fleet server as a child process (`anc-fleet serve`), for tests that kill it. The CLI
// reports where it listens in its pino log on stdout: Fastify's "Server listening at <url>" and
// the broker's `{ "port": <n>, "msg": "mqtt listening ..." }`, both JSON lines. Ports are 0, so
// nothing here depends on free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const bin = new URL('../../../bin/anc-fleet.js', import.meta.url).pathname;

export interface FleetProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  mqttUrl: string;
  /** Printed on the very first start of a database only. */
  adminPassword?: string;
  output(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface FleetProcessOptions {
  dataDir: string;
  /** PostgreSQL instead of PGlite in `<dataDir>/pglite`. */
  databaseUrl?: string;
  timeoutMs?: number;
}

export function startFleetProcess(options: FleetProcessOptions): Promise<FleetProcess> {
  const args = [bin, 'serve', '--port', '0', '--mqtt-port', '0', '--host', '127.0.0.1', '--data-dir', options.dataDir];
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  // Isolated from the caller's environment (no DATABASE_URL, PORT... leaking in).
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  const output = () => chunks.join('');
  child.stderr!.on('data', (c: Buffer) => chunks.push(c.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const [code, sig] = await exited;
    return { code, signal: sig };
  };

  return new Promise((resolve, reject) => {
    let url: string | undefined;
    let mqttPort: number | undefined;
    let adminPassword: string | undefined;
    let partial = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fleet server did not report its ports within ${options.timeoutMs ?? 60_000} ms:\n${output()}`));
    }, options.timeoutMs ?? 60_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`fleet server exited with ${code} before listening:\n${output()}`));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      chunks.push(chunk.toString());
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const printed = /created admin user "[^"]+" with password: (\S+)/.exec(line);
        if (printed) adminPassword = printed[1];
        if (!line.startsWith('{')) continue;
        let entry: { msg?: string; port?: number };
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        const listening = /^Server listening at (http:\/\/127\.0\.0\.1:\d+)$/.exec(entry.msg ?? '');
        if (listening) url = listening[1];
        if (entry.msg?.startsWith('mqtt listening') && typeof entry.port === 'number') mqttPort = entry.port;
      }
      if (url && mqttPort !== undefined) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ child, url, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, adminPassword, output, stop });
      }
    });
  });
}

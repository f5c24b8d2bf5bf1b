// A real pseudo-terminal pair from socat: two /dev/pts paths wired back to back. The virtual
// headset serves one end; `anc --port` opens the other exactly as it would a USB serial port.
// Readiness is taken from socat's own log ("starting data transfer loop"), never from a sleep.
import { spawn, type ChildProcess } from 'node:child_process';
import { TransportError } from './transport.ts';

export interface PtyPair {
  /** The end for the host (`anc --port`). */
  hostPath: string;
  /** The end the device serves. */
  devicePath: string;
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Give up if socat is not ready by then (default 5000 ms). */
  deadlineMs?: number;
  /** Extra symlinks for the two ends, e.g. a stable name to print. */
  links?: { host?: string; device?: string };
}

export function openPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const end = (link: string | undefined) => `pty,raw,echo=0${link ? `,link=${link}` : ''}`;
  const child = spawn('socat', ['-d', '-d', end(options.links?.host), end(options.links?.device)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    const paths: string[] = [];
    let log = '';
    const fail = (message: string) => {
      clearTimeout(timer);
      child.kill();
      reject(new TransportError('open-failed', message));
    };
    const timer = setTimeout(() => fail(`socat did not set up a pty pair within ${options.deadlineMs ?? 5000} ms: ${log.trim()}`), options.deadlineMs ?? 5000);
    child.on('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'ENOENT' ? 'socat is not installed: install it (apt-get install socat) to use a pseudo-terminal' : `cannot start socat: ${e.message}`),
    );
    const early = (code: number | null) => fail(`socat exited (${code}) before the pty pair was ready: ${log.trim()}`);
    child.on('exit', early);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      log += text;
      for (const m of text.matchAll(/PTY is (\S+)/g)) paths.push(m[1]);
      if (/starting data transfer loop/.test(log) && paths.length === 2) {
        clearTimeout(timer);
        child.off('exit', early);
        resolve({ hostPath: paths[0], devicePath: paths[1], close: () => stop(child) });
      }
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}

/** True if socat can be started here (tests skip with a message otherwise). */
export function socatAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const c = spawn('socat', ['-V'], { stdio: 'ignore' });
    c.on('error', () => resolve(false));
    c.on('exit', (code) => resolve(code === 0));
  });
}

// REST latency at a fixed request rate (an open loop: requests go out on schedule whether or not
// earlier ones have answered, so a slow server shows up as latency, not as a lower rate).
// GET /api/v1/devices/:id with an API key: authentication, a database read and serialisation.
// The generator is node:http with a keep-alive agent, not fetch: on two cores the generator shares
// the CPU with the server and PostgreSQL, and fetch's per-request cost (WHATWG streams and
// headers) showed up as stalls of the generator's own event loop counted as server latency.
import { Agent, request } from 'node:http';

export interface RestLoadOptions {
  api: string;
  apiKey: string;
  rate: number;
  seconds: number;
  path(i: number): string;
}

export interface RestLoadResult {
  requests: number;
  errors: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runRestLoad(o: RestLoadOptions): Promise<RestLoadResult> {
  const { hostname, port } = new URL(o.api);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const total = Math.round(o.rate * o.seconds);
  const started = performance.now();
  let sent = 0;
  const fire = (i: number) => {
    const t0 = performance.now();
    pending.push(
      new Promise<void>((resolve) => {
        const req = request({ agent, hostname, port, path: o.path(i), headers: { 'x-api-key': o.apiKey } }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - t0);
            resolve();
          });
        });
        req.on('error', () => {
          errors++;
          resolve();
        });
        req.end();
      }),
    );
  };
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * o.rate) + 1);
    while (sent < due) fire(sent++);
    await new Promise((r) => setTimeout(r, 1));
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: total, errors, achievedRate: total / sendSeconds, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: latencies[latencies.length - 1] ?? NaN };
}

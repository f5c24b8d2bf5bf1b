// npm run bench:ota — time to roll a model bundle out to N virtual headsets (default 1,000) with
// the default waves (1/10/50/100 %), and the fleet server's memory meanwhile. The server runs in
// a child process (bench/ota/ota-server.ts); the headsets (real firmware module and OTA agent each,
// acoustics off) run here. Target: under 60 s for 1,000 devices.
//
// Options: --devices N, --model PATH (a model blob; default: a 64 KiB model, bench/ota/sized-model.ts), --json.
import { fork } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { getScenario } from '../../simulator/scenarios/index.ts';
import { systemClock } from '../../simulator/fleet/headset-clock.ts';
import { startVirtualFleet } from '../../simulator/fleet/virtual-fleet.ts';
import type { FromServer, ToServer } from './ota-server.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--devices');
const devices = at >= 0 ? Number(args[at + 1]) : 1000;
const json = args.includes('--json');
const modelAt = args.indexOf('--model');
const log = (line: string) => process.stderr.write(`${line}\n`);
const TARGET_MS = 60_000;

const child = fork(fileURLToPath(new URL('./ota-server.ts', import.meta.url)), [String(devices), ...(modelAt >= 0 ? [args[modelAt + 1]!] : [])], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const next = <T extends FromServer['type']>(type: T) =>
  new Promise<Extract<FromServer, { type: T }>>((resolve, reject) => {
    const on = (m: FromServer) => {
      if (m.type === 'failed') reject(new Error(m.message));
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m as Extract<FromServer, { type: T }>);
    };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
const tell = (m: ToServer) => child.send(m);

log(`starting the fleet server with ${devices} devices ...`);
const ready = await next('ready');
const fleet = startVirtualFleet({
  credentials: ready.credentials,
  // Paced: a thousand CONNECTs at once on this 2-core machine time out before their CONNACK.
  transport: { url: `mqtt://127.0.0.1:${ready.mqttPort}`, options: { reconnectPeriod: 1000, connectTimeout: 60_000 } },
  clock: systemClock,
  scenario: getScenario('tone'),
  duty: 0,
  connectBurst: 50,
  connectRate: 100,
  modelVersion: '1.0.0',
  ota: { trustedKeys: [createPublicKey(ready.publicKeyPem)], hardwareRevision: 'hp-1' },
});
const connectStart = performance.now();
await Promise.all(fleet.headsets.map((h) => (h.stats.reportsAccepted > 0 ? undefined : once(h, 'reported'))));
log(`${devices} headsets connected and reported in ${((performance.now() - connectStart) / 1000).toFixed(1)} s; rolling out ...`);
tell({ type: 'start' });
const done = await next('done');
const totals = fleet.totals();
await fleet.stop();
tell({ type: 'stop' });
await once(child, 'exit');

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const result = {
  devices,
  bundleBytes: ready.bundleBytes,
  status: done.status,
  seconds: done.ms / 1000,
  states: done.states,
  waves: done.waves,
  serverRssBeforeMiB: Number(mib(done.rssBefore)),
  serverRssPeakMiB: Number(mib(done.rssPeak)),
  serverHeapPeakMiB: Number(mib(done.heapPeak)),
  otaBytes: totals.otaBytes,
  otaRetries: totals.otaRetries,
  targetMet: done.status === 'completed' && done.ms < TARGET_MS,
};
if (json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const rows: Array<[string, string]> = [
    ['devices', String(devices)],
    ['bundle', `${(ready.bundleBytes / 1024).toFixed(1)} KiB (× ${devices} = ${((devices * ready.bundleBytes) / 2 ** 20).toFixed(1)} MiB to serve)`],
    ['rollout', `${done.status}, ${JSON.stringify(done.states)}`],
    ...done.waves.map((w, i): [string, string] => [`wave ${i + 1} (${w.size} devices) done at`, `${(w.ms / 1000).toFixed(1)} s`]),
    ['time to roll out', `${result.seconds.toFixed(1)} s (target < ${TARGET_MS / 1000} s: ${result.targetMet ? 'met' : 'NOT met'})`],
    ['server RSS before / peak', `${result.serverRssBeforeMiB} / ${result.serverRssPeakMiB} MiB (heap peak ${result.serverHeapPeakMiB} MiB)`],
    ['chunk bytes received / retries', `${(totals.otaBytes / 2 ** 20).toFixed(1)} MiB / ${totals.otaRetries}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
process.exitCode = result.targetMet ? 0 : 1;

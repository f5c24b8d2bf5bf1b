// npm run bench:fleet — the fleet server under load, with a bare Mosquitto as the reference, in
// one run and with one load generator (a benchmark, not a test). Only 127.0.0.1; a few minutes.
//
//   connected devices   lightweight MQTT clients ramped up to --devices (default 10,000)
//   QoS 1 ingest        telemetry batches PUBACKed per second, ours (committed to the database
//                       before the PUBACK) vs bare Mosquitto, --publishers (200) clients with
//                       --window (8) messages in flight each, the two alternated for --rounds (2);
//                       every acked sample is then counted in the database (zero loss)
//   payload encoding    JSON vs CBOR (cborg) for the same batch: bytes, the server's decode and
//                       check cost per message (in-process), and bare Mosquitto's QoS 1 rate with
//                       each (the fleet accepts JSON only: docs/mqtt-topics.md has the decision)
//   REST                p50/p99 of GET /api/v1/devices/:id at a fixed rate (default 1,000/s),
//                       API-key authenticated, on a quiet server (after the ramp's clients are
//                       gone and its presence writes have landed, and after ingest): the REST
//                       path's own latency, not REST under MQTT load
//
// Options: --devices N, --ingest-seconds S (per broker and round), --rounds R, --publishers P,
// --window W, --rest-rate R, --rest-seconds S, --json.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { closeAll, rampConnections, type RampResult } from './connection-ramp.ts';
import { BENCH_SECRET, type ControlMessage, type ServerMessage } from './server-messages.ts';
import { startMosquitto } from './mosquitto-reference.ts';
import { combineIngest, runIngest, type IngestResult } from './qos1-ingest.ts';
import { measureDecodeCost, type DecodeCost } from './telemetry-payloads.ts';
import { runRestLoad, type RestLoadResult } from './rest-latency.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const json = args.includes('--json');
const devices = flag('devices', 10_000);
const ingestSeconds = flag('ingest-seconds', 10);
const rounds = flag('rounds', 2);
const restRate = flag('rest-rate', 1000);
const restSeconds = flag('rest-seconds', 10);
// 1,600 messages in flight: with 400 (50 x 8) our committed path is bound by its round trip, not
// its capacity (docs/mqtt-topics.md, "Ingest rate"), while Mosquitto's rate hardly changes.
const publishers = flag('publishers', 200);
const window = flag('window', 8);
if (publishers > devices) throw new RangeError(`--publishers (${publishers}) must not exceed --devices (${devices}): each publisher is one provisioned device`);
const log = (line: string) => process.stderr.write(`${line}\n`);

// Each connection is a descriptor here and one in the server. Node cannot raise its own limit, so
// re-run under a shell that raises the soft limit to the hard one when that helps.
const limits = execFileSync('sh', ['-c', 'ulimit -n; ulimit -Hn'], { encoding: 'utf8' }).trim().split('\n');
const soft = Number(limits[0]);
const hard = limits[1] === 'unlimited' ? Infinity : Number(limits[1]);
if (soft < devices + 1000 && hard > soft && !process.env.ANC_BENCH_RAISED) {
  const raised = Number.isFinite(hard) ? hard : 1_048_576;
  log(`raising the file limit from ${soft} to ${raised}`);
  const self = [...process.execArgv, fileURLToPath(import.meta.url), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  try {
    execFileSync('sh', ['-c', `ulimit -n ${raised} && exec '${process.execPath}' ${self}`], { stdio: 'inherit', env: { ...process.env, ANC_BENCH_RAISED: '1' } });
  } catch (error) {
    process.exitCode = (error as { status?: number }).status ?? 1;
  }
  process.exit();
}

function request(child: ChildProcess, message: ControlMessage, answer: ServerMessage['type']): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const on = (m: ServerMessage) => {
      if (m.type !== answer) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send(message);
  });
}

async function healthClients(api: string): Promise<number> {
  const res = await fetch(new URL('/health', api));
  return ((await res.json()) as { broker?: { clients?: number } }).broker?.clients ?? -1;
}

async function untilNoClients(api: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await healthClients(api)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}

log(`fleet benchmark: ${devices} devices, file limit ${soft} (hard ${limits[1]})`);
const server = fork(fileURLToPath(new URL('./fleet-under-test.ts', import.meta.url)), [String(devices)], {
  // ANC_BENCH_SERVER_PROF=<dir> writes a V8 CPU profile of the server process there.
  // The flags `npm start` and bin/anc-fleet.js run the server with.
  execArgv: ['--import', 'tsx', '--max-semi-space-size=64', ...(process.env.ANC_BENCH_SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ANC_BENCH_SERVER_PROF}`] : [])],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const [ready] = (await once(server, 'message')) as [Extract<ServerMessage, { type: 'ready' }>];
log(`fleet server ready (${ready.database}), api ${ready.api}, mqtt ${ready.mqttPort}`);
const mosquitto = await startMosquitto();
log(`mosquitto reference on ${mosquitto.port}`);

const results: {
  database: string;
  fileLimit: number;
  connections: { ours: Omit<RampResult, 'sockets'> & { serverClients: number }; mosquitto: Omit<RampResult, 'sockets'> };
  ingest: { ours: IngestResult; mosquitto: IngestResult; ratio: number; roundRatios: number[]; samplesCounted: number; lost: number };
  payloads: { decode: { json: DecodeCost; cbor: DecodeCost }; mosquittoCbor: IngestResult };
  rest: RestLoadResult;
} = {} as never;
results.database = ready.database;
results.fileLimit = soft;

try {
  // 1. connected devices
  const ramp = await rampConnections({
    port: ready.mqttPort,
    target: devices,
    identity: (i) => ({ clientId: `bench-${i}`, username: `bench-${i}`, password: BENCH_SECRET }),
    budgetMs: 120_000,
  });
  const serverClients = await healthClients(ready.api);
  log(`ours: ${ramp.connected} connected in ${ramp.seconds.toFixed(1)} s (server counts ${serverClients})`);
  closeAll(ramp.sockets);
  const { sockets: _a, ...oursRamp } = ramp;
  const refRamp = await rampConnections({ port: mosquitto.port, target: devices, identity: (i) => ({ clientId: `bench-${i}` }), budgetMs: 120_000 });
  log(`mosquitto: ${refRamp.connected} connected in ${refRamp.seconds.toFixed(1)} s`);
  closeAll(refRamp.sockets);
  const { sockets: _b, ...refRampView } = refRamp;
  results.connections = { ours: { ...oursRamp, serverClients }, mosquitto: refRampView };
  await untilNoClients(ready.api);
  // The 20,000 presence writes of the ramp (online, then offline) land before anything is timed:
  // ingest and REST are measured on a settled server, not against the ramp's tail.
  await request(server, { type: 'settle' }, 'settled');

  // 2. QoS 1 ingest, same generator against both, alternated for --rounds rounds (a slow spell
  // of the machine, such as a PostgreSQL checkpoint, then weighs on both). The generator's first
  // run is its slowest (its code is not optimised yet), so it warms up on Mosquitto first,
  // unmeasured: otherwise whichever broker goes first is under-rated.
  const shape = { publishers, window, samplesPerBatch: 10, seconds: ingestSeconds };
  const toMosquitto = { ...shape, url: `mqtt://127.0.0.1:${mosquitto.port}`, identity: (i: number) => ({ deviceId: `bench-${i}`, options: { clientId: `bench-${i}` } }) };
  const toOurs = { ...shape, url: `mqtt://127.0.0.1:${ready.mqttPort}`, identity: (i: number) => ({ deviceId: `bench-${i}`, options: { clientId: `bench-${i}`, username: `bench-${i}`, password: BENCH_SECRET } }) };
  await runIngest({ ...toMosquitto, seconds: Math.min(3, ingestSeconds) });
  const oursRuns: IngestResult[] = [];
  const referenceRuns: IngestResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    oursRuns.push(await runIngest(toOurs));
    log(`round ${round}, ours: ${oursRuns.at(-1)!.messagesPerSecond.toFixed(0)} msg/s acked`);
    referenceRuns.push(await runIngest(toMosquitto));
    log(`round ${round}, mosquitto: ${referenceRuns.at(-1)!.messagesPerSecond.toFixed(0)} msg/s acked`);
  }
  const ours = combineIngest(oursRuns);
  const reference = combineIngest(referenceRuns);
  const counted = (await request(server, { type: 'count' }, 'count')) as Extract<ServerMessage, { type: 'count' }>;
  results.ingest = {
    ours,
    mosquitto: reference,
    ratio: ours.messagesPerSecond / reference.messagesPerSecond,
    roundRatios: oursRuns.map((run, i) => run.messagesPerSecond / referenceRuns[i]!.messagesPerSecond),
    samplesCounted: counted.samples,
    lost: Math.max(0, ours.ackedSamples - counted.samples),
  };

  // 3. payload encoding: the same batch as JSON and as CBOR
  const mosquittoCbor = await runIngest({ ...toMosquitto, encoding: 'cbor' });
  log(`mosquitto, CBOR payloads: ${mosquittoCbor.messagesPerSecond.toFixed(0)} msg/s acked`);
  results.payloads = { decode: { json: measureDecodeCost('json', shape.samplesPerBatch), cbor: measureDecodeCost('cbor', shape.samplesPerBatch) }, mosquittoCbor };

  // 4. REST at a fixed rate, on its own: no devices connecting and no ingest running
  // Warmed up first, unmeasured, as the ingest is: the route's first second at this rate runs
  // unoptimised code on both sides and opens the client's connections (p99 of seconds, once).
  await request(server, { type: 'settle' }, 'settled');
  const restLoad = { api: ready.api, apiKey: ready.apiKey, rate: restRate, path: (i: number) => `/api/v1/devices/bench-${i % devices}` };
  await runRestLoad({ ...restLoad, seconds: 2 });
  results.rest = await runRestLoad({ ...restLoad, seconds: restSeconds });
  log(`rest: p50 ${results.rest.p50Ms.toFixed(2)} ms, p99 ${results.rest.p99Ms.toFixed(2)} ms`);
} finally {
  await mosquitto.stop();
  if (server.connected) await request(server, { type: 'stop' }, 'stopped');
}

if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const { connections: c, ingest: g, payloads: p, rest: r } = results;
  const rows: Array<[string, string, string]> = [
    ['connected devices (ours)', `${c.ours.connected} / ${devices} in ${c.ours.seconds.toFixed(1)} s${c.ours.firstFailure ? ` (stopped: ${c.ours.firstFailure})` : ''}`, '10,000'],
    ['connected devices (mosquitto)', `${c.mosquitto.connected} / ${devices} in ${c.mosquitto.seconds.toFixed(1)} s`, 'reference'],
    ['QoS 1 ingest (ours, committed)', `${g.ours.messagesPerSecond.toFixed(0)} msg/s = ${g.ours.samplesPerSecond.toFixed(0)} samples/s`, ''],
    ['QoS 1 ingest (mosquitto)', `${g.mosquitto.messagesPerSecond.toFixed(0)} msg/s`, 'reference'],
    ['ratio ours / mosquitto', `${g.ratio.toFixed(2)} (rounds: ${g.roundRatios.map((r) => r.toFixed(2)).join(', ')})`, '>= 0.8'],
    ['acked samples vs samples stored', `${g.ours.ackedSamples} acked, ${g.samplesCounted} stored, ${g.lost} lost`, '0 lost'],
    ['payload bytes, JSON / CBOR', `${p.decode.json.bytes} / ${p.decode.cbor.bytes} B (${p.decode.json.samplesPerBatch} samples)`, ''],
    ['server decode + check, JSON / CBOR', `${p.decode.json.microsPerMessage.toFixed(1)} / ${p.decode.cbor.microsPerMessage.toFixed(1)} us per message`, ''],
    ['QoS 1 (mosquitto), JSON / CBOR', `${g.mosquitto.messagesPerSecond.toFixed(0)} / ${p.mosquittoCbor.messagesPerSecond.toFixed(0)} msg/s`, ''],
    [`REST GET device @ ${restRate}/s`, `p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(1)} ms (${r.achievedRate.toFixed(0)}/s, ${r.errors} errors)`, 'p99 < 20 ms'],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  process.stdout.write(`database: ${results.database}; file limit ${results.fileLimit}\n`);
  for (const [a, b, t] of rows) process.stdout.write(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${t}\n`);
}

// The device side of over-the-air updates, against a real Aedes broker on port 0 and the scripted
// server of ota-script.ts (contract 5's schemas): live model swap and shadow report, resume after
// a disconnect from the offset held, a slow link, a self-test failure, refused bundles, rollback,
// firmware test boot, config bundles, and hostile payloads. Time is a ManualClock: chunk
// timeouts and the link's pace move only when the test advances it; every wait has a deadline.
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { firmwarePath, loadFirmware } from '../../../firmware/loader.ts';
import { getScenario } from '../../../simulator/scenarios/index.ts';
import { ManualClock } from '../../../simulator/fleet/manual-clock.ts';
import type { HeadsetFaults } from '../../../simulator/fleet/ota-faults.ts';
import { VirtualHeadset, type VirtualHeadsetOptions } from '../../../simulator/fleet/virtual-headset.ts';
import { encodeChunk } from '../../../fleet/ota/ota-messages.ts';
import { modelBlob, modelBundle, moduleModelVersion, OtaScript, sha256, signedBundle, signingKeys, strangerKeys } from './ota-script.ts';

const script = await OtaScript.start();
t.teardown(() => script.close());
const moduleDir = mkdtempSync(join(tmpdir(), 'anc-ota-test-'));
let count = 0;

/** A connected headset running model 1.0.0 (installed over the air, so a rollback has a target). */
async function headset(t: Test, o: { faults?: HeadsetFaults; acoustics?: boolean; options?: Partial<VirtualHeadsetOptions> } = {}) {
  const clock = new ManualClock(1_750_000_000_000);
  const deviceId = `ota-${++count}`;
  const h = new VirtualHeadset({
    deviceId,
    secret: 'x',
    transport: { url: script.url, options: { reconnectPeriod: 20 } },
    clock,
    firmware: loadFirmware(),
    scenario: getScenario('tone'),
    acousticsEvery: o.acoustics ? 1 : 0,
    ota: { trustedKeys: [signingKeys.publicKey], moduleDir, requestTimeoutMs: 2000 },
    faults: o.faults,
    ...o.options,
  });
  const ready = once(h.ota, 'ready');
  h.start();
  const unwatch = script.watch(h.ota, 'progress', 'bad-message');
  t.teardown(() => {
    unwatch();
    return h.stop();
  });
  await within(ready, 'subscribed');
  return { h, clock, deviceId };
}

async function install(deviceId: string, bytes: Uint8Array, jobId: string, version: string, kind: 'model' | 'firmware' | 'config' | 'combined' = 'model') {
  const job = script.offer(bytes, { jobId, kind, version });
  script.assign(deviceId, [job]);
  return { job, outcome: await script.outcome(jobId) };
}

function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

t.afterEach(() => {
  t.same(script.violations, [], 'every device message matches the contract');
  script.answer = () => 'serve';
});

t.test('a model bundle swaps live; the job reports each step and the shadow the new version', async (t) => {
  const { h, deviceId } = await headset(t);
  const firmwareBefore = h.runtime.firmware;
  const bundle = modelBundle('1.1.0');
  const { job, outcome } = await install(deviceId, bundle, 'j-model', '1.1.0');
  const states = script.states('j-model');
  t.same(states.slice(-3), ['verifying', 'applying', 'succeeded'], 'verify, apply, succeed');
  t.ok(states.length > 3 && states.slice(0, -3).every((s) => s === 'downloading'), `downloading first (${states.length - 3} reports)`);
  t.same(script.updates.filter((u) => u.jobId === 'j-model' && u.update.state === 'downloading').map((u) => u.update.offset! % 4096), states.slice(0, -3).map(() => 0), 'offsets on chunk boundaries');
  t.match(outcome, { state: 'succeeded', running: { modelVersion: '1.1.0', firmwareVersion: '0.1.0' } });
  t.equal(moduleModelVersion(h.runtime.firmware.status()), '1.1.0', 'the running module runs the new blob');
  t.equal(h.runtime.firmware, firmwareBefore, 'no reboot: the same module instance');
  const report = await script.until(() => script.reports.find((r) => r.deviceId === deviceId && r.reported.modelVersion === '1.1.0'), 5000, 'shadow report');
  t.equal(report.reported.firmwareVersion, '0.1.0');
  const mine = script.requests.filter((r) => r.deviceId === deviceId);
  t.same([...new Set(mine.map((r) => r.offset))].sort((a, b) => a - b), Array.from({ length: Math.ceil(bundle.length / 4096) }, (_, i) => i * 4096), 'every chunk asked for once');
  t.ok(mine.every((r) => r.artifact === job.artifact && r.length <= 4096));
  // a notify repeating the finished job is ignored
  script.notify(deviceId, JSON.stringify({ v: 1, jobs: [job] }));
  script.assign(deviceId, []);
  t.equal(script.states('j-model').length, script.states('j-model').indexOf('succeeded') + 1, 'nothing reported after the outcome');
});

t.test('a download interrupted by a disconnect resumes from the offset held, not 0', async (t) => {
  const { h, deviceId } = await headset(t, { faults: { disconnectAfterBytes: 3 * 1024 } });
  const bundle = modelBundle('1.2.0');
  // 1 KiB chunks: the default model is 4 KB, so the bundle is a handful of chunks
  const job = script.offer(bundle, { jobId: 'j-resume', kind: 'model', version: '1.2.0', chunkSize: 1024 });
  // at the second connect nothing of the new session has been asked yet
  let mark: { requests: number; updates: number } | undefined;
  const reconnected = new Promise<void>((resolve) =>
    h.on('online', () => {
      if (h.stats.connects !== 2) return;
      mark = { requests: script.requests.length, updates: script.updates.length };
      resolve();
    }),
  );
  script.assign(deviceId, [job]);
  await within(reconnected, 'reconnect');
  t.equal((await script.outcome('j-resume')).state, 'succeeded');
  const report = script.updates.slice(mark!.updates).find((u) => u.jobId === 'j-resume')!;
  t.equal(report.update.state, 'downloading', 'the first report after the reconnect is downloading');
  const held = report.update.offset!;
  t.ok(held >= 3 * 1024 && held % 1024 === 0, `it says ${held} bytes are held`);
  const after = script.requests.slice(mark!.requests).filter((r) => r.deviceId === deviceId);
  t.equal(after[0]?.offset, held, `the first request after the reconnect asks from ${held}`);
  t.ok(after.every((r) => r.offset >= held), 'nothing held is asked for again');
  t.equal(script.requests.filter((r) => r.deviceId === deviceId && r.offset === 0).length, 1, 'offset 0 asked for once');
  t.equal(moduleModelVersion(h.runtime.firmware.status()), '1.2.0');
});

t.test('a slow link paces the requests: no more than the rate allows, and it completes', async (t) => {
  const rate = 2048;
  const { h, clock, deviceId } = await headset(t, { faults: { linkBytesPerSecond: rate } });
  const bundle = modelBundle('1.3.0');
  const job = script.offer(bundle, { jobId: 'j-slow', kind: 'model', version: '1.3.0', chunkSize: 1024 });
  script.assign(deviceId, [job]);
  const asked = () => script.requests.filter((r) => r.deviceId === deviceId).reduce((n, r) => n + r.length, 0);
  await script.until(() => asked() > 0, 5000, 'first request');
  let seconds = 0;
  while (!script.states('j-slow').includes('succeeded')) {
    clock.advance(1000);
    seconds++;
    // wait until every request sent so far is answered (or the job is done)
    await script.until(() => script.states('j-slow').includes('succeeded') || h.ota.downloading?.outstanding === 0 || undefined, 5000, 'replies held');
    t.ok(asked() <= 1024 + rate * seconds, `after ${seconds} s: ${asked()} bytes asked, the link allows ${1024 + rate * seconds}`);
    if (seconds > 200) throw new Error('slow download did not finish');
  }
  t.ok(seconds >= Math.floor((bundle.length - 1024) / rate), `${bundle.length} bytes at ${rate} B/s took ${seconds} s of clock`);
  t.equal((await script.outcome('j-slow')).state, 'succeeded');
});

t.test('a device chosen to fail a bundle rolls back and keeps a working model', async (t) => {
  const { h, deviceId } = await headset(t, { faults: { failBundles: ['2.0.0'] } });
  t.equal((await install(deviceId, modelBundle('1.4.0'), 'j-ok', '1.4.0')).outcome.state, 'succeeded');
  const { outcome } = await install(deviceId, modelBundle('2.0.0'), 'j-bad', '2.0.0');
  t.match(outcome, { state: 'rolled_back', reason: /self-test failed/, running: { modelVersion: '1.4.0' } });
  t.equal(moduleModelVersion(h.runtime.firmware.status()), '1.4.0', 'the previous model runs');
  t.equal(h.settings.current().modelVersion, '1.4.0');
});

t.test('a tampered bundle, a stranger key, the wrong hardware and a downgrade are refused by the device', async (t) => {
  const { h, deviceId } = await headset(t, { options: { ota: { trustedKeys: [signingKeys.publicKey], moduleDir, rollbackCounter: 3 } } });
  const good = modelBundle('1.5.0', { counter: 3 });
  const tampered = good.slice();
  tampered[tampered.length - 100] ^= 0xff; // inside the model blob; the job names the tampered file's hash
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['j-tampered', tampered, /hash-mismatch/],
    ['j-stranger', modelBundle('1.5.0', { counter: 3, key: strangerKeys.privateKey }), /unknown-key/],
    ['j-hardware', modelBundle('1.5.0', { counter: 3, hardware: ['hp-9'] }), /wrong-hardware/],
    ['j-downgrade', modelBundle('1.5.0', { counter: 2 }), /downgrade/],
  ];
  for (const [jobId, bytes, reason] of cases) {
    const { outcome } = await install(deviceId, bytes, jobId, '1.5.0');
    t.match(outcome, { state: 'failed', reason }, jobId);
  }
  // the job names another file than the bytes served under its name
  const other = sha256(modelBundle('1.5.1', { counter: 3 }));
  script.assign(deviceId, [script.offer(good, { jobId: 'j-wrong-hash', kind: 'model', version: '1.5.0', sha256: other })]);
  t.match(await script.outcome('j-wrong-hash'), { state: 'failed', reason: /SHA-256/ });
  t.equal(moduleModelVersion(h.runtime.firmware.status()), 'none', 'nothing was installed');
  t.equal((await install(deviceId, good, 'j-good', '1.5.0')).outcome.state, 'succeeded', 'and it still installs a good one');
});

t.test('a rollback job restores the previous model', async (t) => {
  const { h, deviceId } = await headset(t);
  await install(deviceId, modelBundle('1.6.0'), 'j-first', '1.6.0');
  const second = modelBundle('1.7.0');
  const { job } = await install(deviceId, second, 'j-second', '1.7.0');
  t.equal(moduleModelVersion(h.runtime.firmware.status()), '1.7.0');
  script.assign(deviceId, [{ ...job, jobId: 'j-undo', action: 'rollback' }]);
  t.match(await script.outcome('j-undo'), { state: 'rolled_back', running: { modelVersion: '1.6.0' } });
  t.equal(moduleModelVersion(h.runtime.firmware.status()), '1.6.0', 'the module runs the previous blob again');
  await script.until(() => script.reports.find((r) => r.deviceId === deviceId && r.reported.modelVersion === '1.6.0' && script.reports.indexOf(r) > 0), 5000, 'shadow back to 1.6.0');
  // back past the first install: no model at all, reported as a deleted field
  script.assign(deviceId, [{ ...job, jobId: 'j-undo-2', action: 'rollback', artifact: sha256(modelBundle('1.6.0')) }]);
  const undo = await script.outcome('j-undo-2');
  t.equal(undo.state, 'rolled_back');
});

t.test('a firmware bundle is test-booted, then runs; a module that cannot run is rolled back', async (t) => {
  const { h, deviceId } = await headset(t);
  const before = h.runtime.firmware;
  const wasm = new Uint8Array(readFileSync(firmwarePath()));
  const fw = signedBundle({ version: '0.2.0', artifacts: [{ name: 'firmware.wasm', type: 'firmware-wasm', bytes: wasm }] });
  const { outcome } = await install(deviceId, fw, 'j-fw', '0.2.0', 'firmware');
  t.match(outcome, { state: 'succeeded', running: { firmwareVersion: '0.2.0' } });
  t.not(h.runtime.firmware, before, 'a new module instance runs');
  t.equal(h.settings.current().firmwareVersion, '0.2.0');
  const broken = signedBundle({ version: '0.3.0', artifacts: [{ name: 'firmware.wasm', type: 'firmware-wasm', bytes: Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 2, 3]) }] });
  const bad = await install(deviceId, broken, 'j-fw-bad', '0.3.0', 'firmware');
  t.match(bad.outcome, { state: 'rolled_back', reason: /test boot failed/, running: { firmwareVersion: '0.2.0' } });
  const failing = await headset(t, { faults: { failBundles: ['0.2.0'] } });
  const failed = await install(failing.deviceId, fw, 'j-fw-fault', '0.2.0', 'firmware');
  t.match(failed.outcome, { state: 'rolled_back', reason: /self-test failed \(fault injection/, running: { firmwareVersion: '0.1.0' } });
});

t.test('a config bundle applies its settings to the module; a refused blob or setting fails and changes nothing', async (t) => {
  const { h, deviceId } = await headset(t);
  const config = signedBundle({ version: '1.0.1', artifacts: [{ name: 'c.json', type: 'config-json', bytes: new TextEncoder().encode('{"intensity":0.5}') }] });
  t.equal((await install(deviceId, config, 'j-config', '1.0.1', 'config')).outcome.state, 'succeeded');
  t.equal(h.settings.current().intensity, 0.5);
  const wrong = signedBundle({ version: '1.0.2', artifacts: [{ name: 'c.json', type: 'config-json', bytes: new TextEncoder().encode('{"ancMode":"off","intensity":7}') }] });
  // the module refuses an intensity of 7, and the mode set just before it goes back too
  const refused = await install(deviceId, wrong, 'j-config-bad', '1.0.2', 'config');
  t.match(refused.outcome, { state: 'failed', reason: /config intensity refused by the module: .*ANC_ERR_BAD_VALUE/ });
  t.match(h.settings.current(), { intensity: 0.5, ancMode: 'anc' }, 'the earlier settings stay');
  const garbage = signedBundle({ version: '1.9.0', artifacts: [{ name: 'm.ancm', type: 'model-blob', bytes: modelBlob(1, 9, 0).fill(7, 200, 300) }] });
  const blob = await install(deviceId, garbage, 'j-blob', '1.9.0');
  t.match(blob.outcome, { state: 'failed', reason: /ANC_ERR_MODEL_CRC.*code -35/ });
  t.equal(moduleModelVersion(h.runtime.firmware.status()), 'none', 'no model was half-loaded');
});

t.test('hostile payloads fail the job with a reason or are ignored; the headset keeps running', async (t) => {
  const { h, deviceId } = await headset(t);
  const bad: string[] = [];
  h.ota.on('bad-message', (_topic, reason) => bad.push(reason));
  script.notify(deviceId, 'not json{');
  script.notify(deviceId, JSON.stringify({ v: 1, jobs: [{ jobId: 'x' }] }));
  script.notify(deviceId, Buffer.alloc(0));
  await script.until(() => h.stats.otaBadMessages >= 3 || undefined, 5000, 'three bad notifies seen');
  t.match(bad[0], /not JSON/);
  t.match(bad[1], /jobs\/notify \/jobs\/0/);

  const bundle = modelBundle('1.8.0');
  const answers: Array<[string, (offset: number) => ReturnType<typeof script.answer>, RegExp]> = [
    ['j-short', () => ({ leaf: 'data', payload: Buffer.from([1, 2, 3]) }), /shorter than its 8-byte header/],
    ['j-total', (o) => ({ leaf: 'data', payload: encodeChunk(o, bundle.length + 1, bundle.subarray(o, o + 4096)) }), /the job says/],
    ['j-range', () => ({ leaf: 'data', payload: encodeChunk(bundle.length + 8192, bundle.length, new Uint8Array(16)) }), /past the end/],
    ['j-length', (o) => ({ leaf: 'data', payload: encodeChunk(o, bundle.length, new Uint8Array(10)) }), /has 10 bytes, expected/],
    ['j-rejected-garbage', () => ({ leaf: 'rejected', payload: '{"offset":"zero"}' }), /malformed chunk\/rejected/],
    ['j-rejected', (o) => ({ leaf: 'rejected', payload: JSON.stringify({ offset: o, code: 'unknown-artifact', reason: 'gone' }) }), /unknown-artifact: gone/],
  ];
  for (const [jobId, answer, reason] of answers) {
    script.answer = (r) => answer(r.offset);
    const job = script.offer(bundle, { jobId, kind: 'model', version: '1.8.0' });
    script.assign(deviceId, [job]);
    t.match(await script.outcome(jobId), { state: 'failed', reason }, jobId);
  }
  script.answer = () => 'serve';
  const oversized = { ...script.offer(bundle, { jobId: 'j-huge', kind: 'model', version: '1.8.0' }), size: 2 ** 31 };
  script.assign(deviceId, [oversized]);
  t.match(await script.outcome('j-huge'), { state: 'failed', reason: /over the .*-byte limit/ });
  t.equal((await install(deviceId, bundle, 'j-after', '1.8.0')).outcome.state, 'succeeded', 'a good job still goes through');
  t.ok(h.stats.connected, 'still connected');
});

t.test('lost replies are asked again after the request timeout; a dead server fails the job as stalled', async (t) => {
  const { clock, deviceId } = await headset(t);
  const bundle = modelBundle('1.9.1');
  let dropped = 0;
  script.answer = () => (dropped++ < 2 ? 'drop' : 'serve');
  const job = script.offer(bundle, { jobId: 'j-lossy', kind: 'model', version: '1.9.1' });
  script.assign(deviceId, [job]);
  await script.until(() => dropped >= 2 || undefined, 5000, 'two dropped');
  clock.advance(2100);
  t.equal((await script.outcome('j-lossy')).state, 'succeeded');
  script.answer = () => 'drop';
  script.assign(deviceId, [script.offer(modelBundle('1.9.2'), { jobId: 'j-dead', kind: 'model', version: '1.9.2', chunkSize: 1024 })]);
  for (let i = 0; i < 10 && !script.states('j-dead').includes('failed'); i++) {
    const asked = script.requests.length;
    clock.advance(2100);
    await script.until(() => script.requests.length > asked || script.states('j-dead').includes('failed') || undefined, 5000, 'retry');
  }
  t.match(await script.outcome('j-dead'), { state: 'failed', reason: /stalled/ });
});

// The fault knobs and the small pure pieces of the device side: which devices fail a bundle (an
// exact, seeded share), the resumable download buffer, the intensity that costs 3 dB, the battery
// model; and, through a running headset on a broker, a bundle that installs fine but makes the
// module cancel about 3 dB worse, measured in the telemetry it publishes, and the battery and
// usage fields of its reported shadow.
import t from 'tap';
import { loadFirmware, type Firmware } from '../../../firmware/loader.ts';
import { DeviceEvent } from '../../../fleet/events/device-event.ts';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { encodeChunk, decodeChunk } from '../../../fleet/ota/ota-messages.ts';
import { intensityForLoss } from '../../../simulator/fleet/attenuation-loss.ts';
import { DownloadBuffer } from '../../../simulator/fleet/download-buffer.ts';
import { HeadsetPower } from '../../../simulator/fleet/headset-power.ts';
import { ManualClock } from '../../../simulator/fleet/manual-clock.ts';
import { failingDevices, headsetFaults, namesBundle } from '../../../simulator/fleet/ota-faults.ts';
import { VirtualHeadset } from '../../../simulator/fleet/virtual-headset.ts';
import { getScenario } from '../../../simulator/scenarios/index.ts';
import { modelBundle, OtaScript, signingKeys } from './ota-script.ts';

t.test('a share of the fleet fails a bundle: exactly round(share x N) devices, the same ones for a seed', async (t) => {
  const ids = Array.from({ length: 20 }, (_, i) => `vh-${i}`);
  const a = failingDevices(ids, 0.3, 7);
  t.equal(a.size, 6);
  t.same([...failingDevices(ids, 0.3, 7)], [...a], 'deterministic');
  t.not([...failingDevices(ids, 0.3, 8)].join(), [...a].join(), 'another seed picks others');
  t.equal(failingDevices(ids, 0, 1).size, 0);
  t.equal(failingDevices(ids, 1, 1).size, 20);
  t.throws(() => failingDevices(ids, 1.5), /0\.\.1/);
  const per = headsetFaults(ids, { linkBytesPerSecond: 1000, failBundle: { bundle: '2.0.0', share: 0.3, seed: 7 } });
  t.equal([...per.values()].filter((f) => f.failBundles?.includes('2.0.0')).length, 6);
  t.ok([...per.values()].every((f) => f.linkBytesPerSecond === 1000), 'shared faults go to every headset');
  t.ok(namesBundle('2.0.0', { artifact: 'ab', version: '2.0.0' }) && namesBundle('ab', { artifact: 'ab', version: '1' }));
});

t.test('the download buffer keeps chunks in any order, refuses what does not fit, and resumes from the first gap', async (t) => {
  const bundle = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
  const b = new DownloadBuffer(1000, 256);
  const chunk = (offset: number, total = 1000, bytes = bundle.subarray(offset, offset + 256)) => decodeChunk(encodeChunk(offset, total, bytes))!;
  t.same(b.missing(2, new Set()).map((s) => s.offset), [0, 256]);
  t.match(b.accept(chunk(512)), { ok: true, fresh: true });
  t.equal(b.offset, 0, 'a gap before it: resume from 0');
  t.match(b.accept(chunk(0)), { ok: true, fresh: true });
  t.equal(b.offset, 256);
  t.match(b.accept(chunk(0)), { ok: true, fresh: false }, 'a duplicate is harmless');
  t.same(b.missing(4, new Set([1])).map((s) => s.offset), [768], 'skips held and asked-for chunks');
  t.match(b.accept(chunk(768)), { ok: true });
  t.match(b.accept(chunk(256, 999)), { ok: false, reason: /999 bytes, the job says 1000/ });
  t.match(b.accept(chunk(1024)), { ok: false, reason: /past the end/ });
  t.match(b.accept(chunk(100)), { ok: false, reason: /boundary/ });
  t.match(b.accept(chunk(256, 1000, new Uint8Array(10))), { ok: false, reason: /10 bytes, expected 256/ });
  t.notOk(b.complete);
  t.throws(() => b.bytes(), /incomplete/);
  t.match(b.accept(chunk(256)), { ok: true, fresh: true });
  t.ok(b.complete);
  t.equal(b.offset, 1000);
  t.same(b.bytes(), bundle);
  t.throws(() => new DownloadBuffer(0, 256), /positive/);
});

t.test('intensityForLoss: never raises the intensity, and is a no-op without a measure', async (t) => {
  t.equal(intensityForLoss(NaN, 1, 3), 1);
  t.equal(intensityForLoss(30, 1, 0), 1);
  t.ok(intensityForLoss(30, 1, 3) < 1);
  t.ok(intensityForLoss(30, 0.5, 3) <= 0.5);
  t.equal(intensityForLoss(30, 0, 3), 0);
});

t.test('the battery drains faster with the cancellation on, and charges on the charger', async (t) => {
  const p = new HeadsetPower({ battery: 50, charging: false, inCall: false, ancSession: 'idle' });
  p.advance(3_600_000, true);
  t.equal(p.state.battery, 46);
  p.advance(3_600_000, false);
  t.equal(p.state.battery, 43.5);
  t.same(p.set({ charging: true, inCall: false }), { charging: true }, 'only what changed');
  p.advance(3_600_000, true);
  t.equal(p.state.battery, 100, 'capped at 100');
});

t.test('through a running headset: a degrading bundle costs about 3 dB in its telemetry; battery and usage reach the shadow', async (t) => {
  const script = await OtaScript.start();
  t.teardown(() => script.close());
  const clock = new ManualClock(1_750_000_000_000);
  const bundle = modelBundle('3.0.0');
  const h = new VirtualHeadset({
    deviceId: 'ota-degrade',
    secret: 'x',
    transport: { url: script.url, options: { reconnectPeriod: 0 } },
    clock,
    firmware: loadFirmware(),
    scenario: getScenario('cabin'),
    ota: { trustedKeys: [signingKeys.publicKey] },
    faults: { degradeBundle: { bundle: '3.0.0', lossDb: 3 } },
    power: { battery: 80 },
  });
  const ready = new Promise<void>((resolve) => h.ota.once('ready', () => resolve()));
  h.start();
  t.teardown(() => h.stop());
  await ready;
  const first = await script.until(() => script.reports.find((r) => r.deviceId === 'ota-degrade'), 5000, 'first report');
  t.match(first.reported, { battery: 80, charging: false, inCall: false, ancSession: 'idle', modelVersion: undefined });

  const batches = () => script.telemetry.filter((b) => b.deviceId === 'ota-degrade').flatMap((b) => b.samples);
  const meanOf = (samples: Array<Record<string, unknown>>) => samples.reduce((a, s) => a + (s.attenuationDb as number), 0) / samples.length;
  const run = async (seconds: number) => {
    const want = batches().length + seconds * 10;
    clock.advance(seconds * 1000);
    await script.until(() => batches().length >= want || undefined, 20_000, `${seconds} s of telemetry`);
    return batches().slice(-seconds * 10);
  };
  await run(2); // converge
  const before = meanOf(await run(4));
  script.assign('ota-degrade', [script.offer(bundle, { jobId: 'j-degrade', kind: 'model', version: '3.0.0' })]);
  t.equal((await script.outcome('j-degrade')).state, 'succeeded', 'it installs fine');
  await run(1);
  const after = meanOf(await run(4));
  const loss = before - after;
  t.ok(loss > 2.4 && loss < 3.6, `attenuation ${before.toFixed(1)} dB -> ${after.toFixed(1)} dB: ${loss.toFixed(2)} dB worse`);
  t.ok(h.settings.current().intensity < 1, `through the module's intensity (${h.settings.current().intensity.toFixed(3)})`);
  const samples = batches();
  t.ok(samples.every((s) => typeof s.battery === 'number'), 'every sample carries the battery');
  t.ok((samples.at(-1)!.battery as number) < 80, `and it drains (${samples.at(-1)!.battery} %)`);

  h.setPower({ charging: true, inCall: true, ancSession: 'active' });
  const usage = await script.until(() => script.reports.find((r) => r.reported.inCall === true), 5000, 'usage report');
  t.same(usage.reported, { charging: true, inCall: true, ancSession: 'active' });
});

t.test('a module that traps is restarted by the watchdog and reported as a crash event; the headset carries on', async (t) => {
  const script = await OtaScript.start();
  t.teardown(() => script.close());
  const clock = new ManualClock(1_750_000_000_000);
  const fw = loadFirmware();
  let trap = false;
  // the module of a bad build: its next block traps, as a wasm `unreachable` would
  const flaky = new Proxy(fw, {
    get(target, prop) {
      if (prop === 'processFrames' && trap) {
        return () => {
          trap = false;
          throw new WebAssembly.RuntimeError('unreachable');
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Firmware;
  const h = new VirtualHeadset({ deviceId: 'ota-trap', secret: 'x', transport: { url: script.url, options: { reconnectPeriod: 0 } }, clock, firmware: flaky, scenario: getScenario('tone') });
  const ready = new Promise<void>((resolve) => h.ota.once('ready', () => resolve()));
  h.start();
  t.teardown(() => h.stop());
  await ready;
  clock.advance(1000);
  trap = true;
  clock.advance(1000);
  const crash = await script.until(() => script.events.find((e) => e.deviceId === 'ota-trap'), 5000, 'crash event');
  t.ok(TypeCompiler.Compile(DeviceEvent).Check(crash.event), 'a valid crash event');
  t.match(crash.event, { type: 'crash', reason: 'unreachable', firmwareVersion: '0.1.0' });
  t.equal(h.stats.crashes, 1);
  const samples = () => script.telemetry.filter((b) => b.deviceId === 'ota-trap').flatMap((b) => b.samples).length;
  const had = samples();
  clock.advance(2000);
  await script.until(() => samples() >= had + 15 || undefined, 5000, 'telemetry after the restart');
  t.ok(Number.isFinite(h.runtime.firmware.status().attenuationDb), 'the restarted module runs');
});

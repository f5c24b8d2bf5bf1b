// Power cut at seeded random points of an update (v1 installed, v2 on its way): during the segment
// writes, during commit (manifest chunks, signature check, boot-record write, journal clear), test
// boot and confirm. Afterwards the device always boots a verified firmware, the old one unless the
// confirm record was complete, and the update completes when run again (or is cleanly refused).
import t, { type Test } from 'tap';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { confirmFirmware } from '../../../host/commands/boot-control.ts';
import { flashBundle, type FlashProgress } from '../../../host/commands/flash.ts';
import { readInfo } from '../../../host/commands/info.ts';
import type { VirtualHeadsetOptions } from '../../../simulator/device/virtual-headset.ts';
import { seededRandom } from '../../host/seeded-random.ts';
import { bundle, rig, tempDir } from './headset-rig.ts';

type Phase = FlashProgress['phase'] | 'done';
/** Where each phase of the update starts, in flash bytes written and requests received. */
type Marks = Record<Phase, { bytes: number; requests: number }>;

const v2 = bundle({ version: '2.0.0', counter: 2 });

/** A device with v1 confirmed, and where each phase of the v2 update lands on it. */
async function setup(t: Test): Promise<{ dir: string; base: string; marks: Marks }> {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const base = join(dir, 'base.bin');
  const v1 = await rig(base);
  await flashBundle(v1.conn, { bundle: bundle() });
  await v1.close();
  // A probe run of the same update on a copy: the device is deterministic, so a cut chosen from
  // these marks lands in the same step of a later run.
  const probeFile = join(dir, 'probe.bin');
  copyFileSync(base, probeFile);
  const probe = await rig(probeFile);
  const marks = {} as Marks;
  const mark = (phase: Phase) => (marks[phase] ??= { bytes: probe.headset.medium.written, requests: probe.headset.requestsReceived });
  mark('write');
  await flashBundle(probe.conn, { bundle: v2, onProgress: (p) => mark(p.phase) });
  mark('done');
  await probe.close();
  return { dir, base, marks };
}

/** One update cut short by `cut`, then a reset: checks what boots and that the update completes. */
async function cutAndRecover(t: Test, dir: string, base: string, name: string, cut: Partial<VirtualHeadsetOptions>, expectVersion?: string): Promise<void> {
  const file = join(dir, `${name}.bin`);
  copyFileSync(base, file);
  const r = await rig(file, { headset: cut, timeoutMs: 100, retries: 1 });
  await t.rejects(flashBundle(r.conn, { bundle: v2 }), { name: /Error/ }, `${name}: the cut stops the update`);
  t.ok(r.headset.dead, `${name}: the device lost power`);
  await r.close();

  const after = await rig(file);
  const info = await readInfo(after.conn);
  t.equal(info.mode, 'application', `${name}: boots a firmware`);
  if (expectVersion) t.equal(info.firmwareVersion, expectVersion, `${name}: runs ${expectVersion}`);
  else t.ok(['1.0.0', '2.0.0'].includes(info.firmwareVersion), `${name}: runs ${info.firmwareVersion}`);
  t.ok(after.headset.bootState.trial === null, `${name}: no trial survives the reset`);
  if (info.firmwareVersion === '1.0.0') {
    // Whatever was under test is gone: confirming now is refused, not applied to a half state.
    await t.rejects(confirmFirmware(after.conn), { code: 'bad-state' }, `${name}: anc confirm is refused cleanly`);
  }
  const res = await flashBundle(after.conn, { bundle: v2 });
  t.equal(res.confirmed, true, `${name}: the update completes afterwards`);
  t.equal((await readInfo(after.conn)).firmwareVersion, '2.0.0', `${name}: runs 2.0.0 after the update`);
  await after.close();
}

/** `n` seeded cut points in [lo, hi), always including both ends. */
function pointsIn(lo: number, hi: number, n: number, seed: number): number[] {
  const rng = seededRandom(seed);
  return [...new Set([lo, hi - 1, ...Array.from({ length: n }, () => lo + rng.int(hi - lo))])].sort((a, b) => a - b);
}

t.test('power loss at random bytes while segments are written: bootable, and the update completes', async (t) => {
  const { dir, base, marks } = await setup(t);
  for (const cut of pointsIn(marks.write.bytes + 1, marks.commit.bytes, 6, 2024)) {
    await cutAndRecover(t, dir, base, `write-byte-${cut}`, { cutAfterBytes: cut }, '1.0.0');
  }
});

t.test('power loss at random bytes of commit, test boot and confirm: the old firmware boots', async (t) => {
  const { dir, base, marks } = await setup(t);
  const phases: Array<[Phase, Phase]> = [['commit', 'boot'], ['boot', 'confirm'], ['confirm', 'done']];
  for (const [i, [from, to]] of phases.entries()) {
    const lo = marks[from].bytes;
    const hi = marks[to].bytes;
    t.ok(hi > lo, `${from} writes flash (${hi - lo} bytes)`);
    // lo itself: nothing of the phase's first write lands, i.e. a cut anywhere before it (manifest
    // chunks, signature check). The confirm record is the last write, so every cut here precedes
    // its completion and the reset rolls back to 1.0.0.
    for (const cut of pointsIn(lo, hi, 4, 7 + i)) await cutAndRecover(t, dir, base, `${from}-byte-${cut}`, { cutAfterBytes: cut }, '1.0.0');
  }
});

t.test('power loss as each commit-phase request arrives (manifest chunks, commit, test boot, confirm)', async (t) => {
  const { dir, base, marks } = await setup(t);
  const first = marks.commit.requests + 1;
  const last = marks.done.requests;
  t.ok(last - first >= 3, `${last - first + 1} requests from the first manifest chunk to confirm`);
  for (let k = first; k <= last; k++) await cutAndRecover(t, dir, base, `request-${k}`, { cutAtRequest: k }, '1.0.0');
});

t.test('a cut during commit keeps the written segments: the retry sends none again', async (t) => {
  const { dir, base, marks } = await setup(t);
  const file = join(dir, 'resume.bin');
  copyFileSync(base, file);
  const r = await rig(file, { headset: { cutAfterBytes: marks.commit.bytes + 3 }, timeoutMs: 100, retries: 1 });
  await t.rejects(flashBundle(r.conn, { bundle: v2 }));
  await r.close();
  const after = await rig(file);
  t.teardown(after.close);
  const res = await flashBundle(after.conn, { bundle: v2 });
  t.equal(res.segmentsSent, 0, 'every segment was already held');
  t.ok(res.segmentsHeld > 0);
  t.equal(res.confirmed, true);
});

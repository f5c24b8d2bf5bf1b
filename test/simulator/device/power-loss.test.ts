// Power cut at random flash bytes during write, commit, test boot and confirm: the device always
// boots a verified firmware afterwards, and flashing again completes.
import t from 'tap';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { flashBundle } from '../../../host/commands/flash.ts';
import { readInfo } from '../../../host/commands/info.ts';
import { seededRandom } from '../../host/seeded-random.ts';
import { bundle, rig, tempDir } from './headset-rig.ts';

t.test('power loss at random points always leaves a bootable device', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const base = join(dir, 'base.bin');
  const v1 = await rig(base);
  await flashBundle(v1.conn, { bundle: bundle() });
  await v1.close();
  const v2 = bundle({ version: '2.0.0', counter: 2 });

  // How many flash bytes a whole v2 update writes: the range to cut in.
  const probeFile = join(dir, 'probe.bin');
  copyFileSync(base, probeFile);
  const probe = await rig(probeFile);
  const before = probe.headset.medium.written;
  await flashBundle(probe.conn, { bundle: v2 });
  const span = probe.headset.medium.written - before;
  await probe.close();

  const rng = seededRandom(2024);
  const cuts = [1, span - 1, ...Array.from({ length: 14 }, () => 1 + rng.int(span - 1))];
  for (const cut of cuts) {
    const file = join(dir, `cut-${cut}.bin`);
    copyFileSync(base, file);
    const r = await rig(file, { headset: { cutAfterBytes: cut }, timeoutMs: 100, retries: 1 });
    await t.rejects(flashBundle(r.conn, { bundle: v2 }), { name: /Error/ }, `cut at byte ${cut} of ${span} stops the flash`);
    t.ok(r.headset.dead, 'the device lost power');
    await r.close();
    const after = await rig(file);
    const info = await readInfo(after.conn);
    t.equal(info.mode, 'application', `cut at ${cut}: boots a firmware`);
    t.ok(['1.0.0', '2.0.0'].includes(info.firmwareVersion), `cut at ${cut}: runs ${info.firmwareVersion}`);
    const res = await flashBundle(after.conn, { bundle: v2 });
    t.equal(res.confirmed, true, `cut at ${cut}: the update completes afterwards`);
    await after.close();
  }
});

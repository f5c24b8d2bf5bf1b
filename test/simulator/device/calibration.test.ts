// Calibration on the virtual headset: the identified secondary path is scored against the
// simulated one, stored with a CRC in its own partition, and flashing never touches it.
import t from 'tap';
import { join } from 'node:path';
import { calibrate } from '../../../host/commands/calibrate.ts';
import { configGet, configSet } from '../../../host/commands/config.ts';
import { flashBundle } from '../../../host/commands/flash.ts';
import { readInfo } from '../../../host/commands/info.ts';
import { misalignmentDb } from '../../../simulator/device/secondary-path-estimate.ts';
import { plantPaths } from '../../../simulator/acoustics/plant.ts';
import { endToEndSecondaryPath } from '../../../simulator/world.ts';
import { bundle, rig, tempDir } from './headset-rig.ts';

t.test('calibrate recovers the simulated secondary path within -25 dB and stores it', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  // the headset computes in this process: on a loaded machine a reply can take over a second
  const r = await rig(join(dir, 'flash.bin'), { timeoutMs: 2000 });
  t.teardown(r.close);
  await flashBundle(r.conn, { bundle: bundle() });
  const progress: number[] = [];
  // a short inactivity timeout: the device's progress events keep the request alive
  const report = await calibrate(r.conn, { procedure: 'full', onProgress: (d) => progress.push(d) });
  t.ok(progress.length > 3, 'progress reported during identification');
  const truth = endToEndSecondaryPath(plantPaths('earcup-closed').secondary, 1, 1, 1);
  const m = misalignmentDb(truth, report.coefficients);
  t.ok(m <= -25, `misalignment ${m.toFixed(1)} dB`);
  t.ok(report.metrics.misalignmentDb <= -25);
  t.ok(report.metrics.micTrimResidualDb < 0.1, 'mic trim undoes the sensitivity error');
  t.ok(report.metrics.attenuationOnDb < report.metrics.attenuationOffDb - 3, `ANC on ${report.metrics.attenuationOnDb.toFixed(1)} dB vs off ${report.metrics.attenuationOffDb.toFixed(1)} dB`);
  t.equal(report.stored, true);
  t.equal((await readInfo(r.conn)).calibrated, true);
  const stored = r.headset.calibration!;
  await flashBundle(r.conn, { bundle: bundle({ version: '1.1.0' }) });
  t.same(r.headset.calibration, stored, 'flashing never touches the calibration partition');
});

t.test('each excitation identifies the path; a bad tap count is refused', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'));
  t.teardown(r.close);
  for (const excitation of ['mls', 'sweep'] as const) {
    const rep = await calibrate(r.conn, { procedure: 'secondary-path', excitation, taps: 128 });
    t.ok(rep.metrics.misalignmentDb <= -25, `${excitation}: ${rep.metrics.misalignmentDb.toFixed(1)} dB`);
  }
  await t.rejects(calibrate(r.conn, { procedure: 'secondary-path', taps: 1000 }), { name: 'DeviceError' });
});

t.test('config get and set persist in the config partition', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'flash.bin');
  const r = await rig(file);
  t.same((await configGet(r.conn)).value, {});
  await configSet(r.conn, 'stepSize', 0.02);
  await t.rejects(configSet(r.conn, 'bad key!', 1), { code: 'bad-message' });
  await r.close();
  const again = await rig(file);
  t.teardown(again.close);
  t.equal((await configGet(again.conn, 'stepSize')).value, 0.02);
  t.equal((await configGet(again.conn, 'missing')).value, null);
});

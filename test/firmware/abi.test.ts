import t from 'tap';
import { loadFirmware, PARAMS, FirmwareError } from '../../firmware/loader.ts';

const ERR = { notInit: -1, frames: -2, param: -3, value: -4, rlsTaps: -5, length: -6, rate: -7 };

t.test('every call before anc_init is refused, not trapped', async (t) => {
  const fw = loadFirmware();
  t.throws(() => fw.processFrames(16), { code: ERR.notInit });
  t.equal(fw.setParamId(PARAMS.stepSize, 0.1), ERR.notInit);
  t.throws(() => fw.setSecondaryPath([0, 1]), { code: ERR.notInit });
  t.throws(() => fw.reset(), { code: ERR.notInit });
});

t.test('anc_init validates the sample rate', async (t) => {
  const fw = loadFirmware();
  for (const rate of [0, -48000, 7999, 192001]) t.throws(() => fw.init(rate), { code: ERR.rate }, `rate ${rate}`);
  fw.init(48000);
  t.equal(fw.status().sampleRate, 48000);
  t.equal(fw.status().flags & 1, 1, 'initialized flag');
});

t.test('anc_process refuses frame counts outside 1..max_block', async (t) => {
  const fw = loadFirmware().init(48000);
  for (const n of [0, -1, fw.maxBlock + 1, 1 << 30]) t.throws(() => fw.processFrames(n), { code: ERR.frames });
  t.equal(fw.processFrames(fw.maxBlock), fw.maxBlock);
  t.equal(fw.status().samples, fw.maxBlock);
});

t.test('parameters are validated and the old value kept on error', async (t) => {
  const fw = loadFirmware().init(48000);
  const bad: [number, number][] = [
    [PARAMS.algorithm, 8], [PARAMS.algorithm, -1], [PARAMS.algorithm, 1.5], [PARAMS.algorithm, NaN],
    [PARAMS.taps, 0], [PARAMS.taps, 513], [PARAMS.taps, 10.5], [PARAMS.taps, Infinity],
    [PARAMS.stepSize, -0.1], [PARAMS.stepSize, 2.5], [PARAMS.stepSize, NaN],
    [PARAMS.leakage, 0.002], [PARAMS.intensity, 1.01], [PARAMS.intensity, -0.01], [PARAMS.bypass, 0.5],
    [PARAMS.rampMs, 0], [PARAMS.limit, 0], [PARAMS.limit, 1.5], [PARAMS.rlsLambda, 0.5],
    [PARAMS.coefNormMax, 0], [PARAMS.regularization, 0],
    [PARAMS.secTaps, 64], [PARAMS.sampleRate, 16000],
  ];
  for (const [id, v] of bad) {
    const before = fw.getParamId(id);
    t.equal(fw.setParamId(id, v), ERR.value, `param ${id} = ${v} refused`);
    t.equal(fw.getParamId(id), before, `param ${id} unchanged`);
  }
  t.equal(fw.setParamId(99, 1), ERR.param, 'unknown id');
  t.equal(fw.setParamId(-1, 1), ERR.param, 'negative id');
  t.ok(Number.isNaN(fw.getParamId(99)), 'reading an unknown id gives NaN');
  t.equal(fw.getParamId(PARAMS.taps), 256, 'a known id reads its value');
});

t.test('RLS is limited to short filters in either order of change', async (t) => {
  const fw = loadFirmware().init(48000);
  t.throws(() => fw.setParam('algorithm', 'rls'), { code: ERR.rlsTaps }, 'default 256 taps');
  fw.configure({ algorithm: 'rls', taps: 32 });
  t.throws(() => fw.setParam('taps', 33), { code: ERR.rlsTaps });
  fw.configure({ algorithm: 'fxlms', taps: 512 });
  t.equal(fw.getParam('taps'), 512);
});

t.test('a bad secondary path is refused and the running one kept', async (t) => {
  const fw = loadFirmware().init(48000);
  fw.setSecondaryPath([0, 0, 0.5, 0.25]);
  t.throws(() => fw.setSecondaryPath([0, NaN, 1]), { code: ERR.value });
  t.throws(() => fw.setSecondaryPath([0, Infinity]), { code: ERR.value });
  t.throws(() => fw.setSecondaryPath([1]), { code: ERR.length });
  t.throws(() => fw.setSecondaryPath([0.5, 0, 0]), { code: ERR.value }, 'nothing after tap 0');
  t.throws(() => fw.setSecondaryPath(new Array(257).fill(0.01)), FirmwareError);
  t.equal(fw.status().secTaps, 4, 'still the 4-tap model');
  t.equal(fw.getParam('secTaps'), 4);
});

t.test('status reflects parameters after they take effect', async (t) => {
  const fw = loadFirmware().init(48000);
  fw.configure({ algorithm: 'hybrid', taps: 128, stepSize: 0.2, intensity: 0.5 });
  // a length or algorithm change waits for the output to fade out
  t.equal(fw.status().algorithm, 'fxlms');
  for (let i = 0; i < 20; i++) fw.processFrames(64);
  const s = fw.status();
  t.equal(s.algorithm, 'hybrid');
  t.equal(s.taps, 128);
  t.equal(s.intensity, 0.5);
  t.ok(Math.abs(s.stepSize - 0.2) < 1e-3, `step size ramped to 0.2 (${s.stepSize})`);
  t.ok(Math.abs(s.gain - 0.5) < 1e-2, `gain ramped to 0.5 (${s.gain})`);
});

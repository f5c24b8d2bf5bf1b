import t from 'tap';
import { loadFirmware } from '../../firmware/loader.ts';
import { runLoop, seenSecondaryPath, toneNoise, powerDb, type LoopOptions } from '../fixtures/closed-loop.ts';

const FS = 48000;
const loop: LoopOptions = { secondary: [0, 0, 0.8, 0.3, -0.1], primary: [0, 0, 0, 0, 0, 0, 0, 0.7, 0.2], block: 4 };
const WINDOW = FS / 20; // 50 ms

/** The loudest 50 ms of the error relative to the disturbance, in dB. */
function worstWindowGainDb(run: { disturbance: Float32Array; error: Float32Array }): number {
  let worst = -Infinity;
  for (let i = 0; i + WINDOW <= run.error.length; i += WINDOW) {
    worst = Math.max(worst, powerDb(run.error, i, i + WINDOW) - powerDb(run.disturbance, i, i + WINDOW));
  }
  return worst;
}

t.test('a polarity-inverted secondary-path model diverges and the guard cuts it short', async (t) => {
  const fw = loadFirmware({ variant: 'scalar' }).init(FS);
  const path = seenSecondaryPath(loop);
  fw.setSecondaryPath(path.map((v) => -v)).configure({ algorithm: 'fxlms', taps: 64, stepSize: 0.05 });
  const noise = toneNoise(FS * 2, FS);
  let muted = false;
  const bad = runLoop(fw, loop, noise, () => {
    muted ||= (fw.status().flags & 32) !== 0;
  });
  const s = fw.status();
  t.ok(s.recoveries >= 1, `recoveries counted (${s.recoveries})`);
  t.ok(s.flags & 8, 'step size backed off');
  t.ok(bad.out.every((y) => Math.abs(y) <= 0.95), 'output never exceeds the limiter threshold');
  t.ok(worstWindowGainDb(bad) < 12, `no 50 ms window is more than 12 dB louder than without ANC (${worstWindowGainDb(bad).toFixed(1)} dB)`);
  t.ok(muted, 'recoveries in quick succession mute the anti-noise for a hold-off');
  const lastSecond = powerDb(bad.error, FS) - powerDb(bad.disturbance, FS);
  t.ok(lastSecond < 3, `after the first second the error stays within 3 dB of no ANC (${lastSecond.toFixed(1)} dB)`);

  // with a correct model the same instance converges again and stops recovering
  fw.setSecondaryPath(path);
  const good = runLoop(fw, loop, noise);
  const after = fw.status().recoveries;
  const att = powerDb(good.disturbance, FS) - powerDb(good.error, FS);
  t.ok(att > 25, `converges after recovery (${att.toFixed(1)} dB)`);
  runLoop(fw, loop, noise.subarray(0, FS / 2));
  t.equal(fw.status().recoveries, after, 'no further recoveries once stable');
});

t.test('an unstable step size in plain LMS is caught by the coefficient norm', async (t) => {
  const fw = loadFirmware({ variant: 'simd' }).init(FS);
  fw.setSecondaryPath(seenSecondaryPath(loop)).configure({ algorithm: 'lms', taps: 64, stepSize: 2 });
  const run = runLoop(fw, loop, toneNoise(FS, FS, 3));
  const s = fw.status();
  t.ok(s.recoveries >= 1, `recoveries counted (${s.recoveries})`);
  t.ok(s.coefNorm <= 100, `coefficients back within the norm limit (${s.coefNorm})`);
  t.ok(run.out.every((y) => Number.isFinite(y) && Math.abs(y) <= 0.95), 'output finite and limited');
});

t.test('recovery restores the last stable coefficients after a sudden path change', async (t) => {
  const fw = loadFirmware({ variant: 'simd' }).init(FS);
  fw.setSecondaryPath(seenSecondaryPath(loop)).configure({ algorithm: 'fxlms', taps: 64, stepSize: 0.05 });
  const noise = toneNoise(FS, FS, 5);
  runLoop(fw, loop, noise);
  const stable = fw.status();
  t.ok(stable.attenuationDb > 25, `converged (${stable.attenuationDb.toFixed(1)} dB)`);
  t.equal(stable.recoveries, 0);
  // the real path flips polarity (say, a wiring fault): the model is now wrong
  const flipped: LoopOptions = { ...loop, secondary: loop.secondary.map((v) => -v) };
  const run = runLoop(fw, flipped, noise);
  t.ok(fw.status().recoveries >= 1, 'the guard recovered');
  t.ok(worstWindowGainDb(run) < 12, `bounded blow-up (${worstWindowGainDb(run).toFixed(1)} dB)`);
});

// Run-time parameter changes are ramped: the anti-noise never jumps from one sample to the next
// by more than it moves on its own in steady state.
import t from 'tap';
import { loadFirmware, type ParamName, type AlgorithmName } from '../../firmware/loader.ts';
import { runLoop, seenSecondaryPath, type LoopOptions } from '../fixtures/closed-loop.ts';

const FS = 48000;
const loop: LoopOptions = { secondary: [0, 0, 0.8, 0.3, -0.1], primary: [0, 0, 0, 0, 0, 0, 0, 0.7, 0.2], block: 4 };
const CHANGE_AT = FS / 2;

function tone(length: number): Float32Array {
  const x = new Float32Array(length);
  for (let n = 0; n < length; n++) x[n] = 0.4 * Math.sin((2 * Math.PI * 150 * n) / FS);
  return x;
}

function maxStep(y: Float32Array, from: number, to: number): number {
  let m = 0;
  for (let n = Math.max(1, from); n < to; n++) m = Math.max(m, Math.abs(y[n]! - y[n - 1]!));
  return m;
}

const changes: [string, Partial<Record<ParamName, number | AlgorithmName>>][] = [
  ['intensity 1 -> 0', { intensity: 0 }],
  ['intensity 1 -> 0.3', { intensity: 0.3 }],
  ['bypass on', { bypass: 1 }],
  ['step size 0.05 -> 0.2', { stepSize: 0.2 }],
  ['leakage 0 -> 0.001', { leakage: 0.001 }],
  ['taps 64 -> 16', { taps: 16 }],
  ['taps 64 -> 512', { taps: 512 }],
  ['algorithm fxlms -> hybrid', { algorithm: 'hybrid' }],
  ['algorithm fxlms -> fb-fxlms', { algorithm: 'fb-fxlms' }],
  ['algorithm fxlms -> rls', { algorithm: 'rls', taps: 32 }],
  ['algorithm fxlms -> nlms', { algorithm: 'nlms' }],
  ['algorithm fxlms -> fd-fxlms', { algorithm: 'fd-fxlms' }],
];

for (const [name, params] of changes) {
  t.test(`${name}: no step discontinuity`, async (t) => {
    const fw = loadFirmware({ variant: 'simd' }).init(FS);
    fw.setSecondaryPath(seenSecondaryPath(loop)).configure({ algorithm: 'fxlms', taps: 64, stepSize: 0.05 });
    const run = runLoop(fw, loop, tone(FS), (i) => {
      if (i === CHANGE_AT) fw.configure(params);
    });
    const steady = maxStep(run.out, CHANGE_AT - FS / 10, CHANGE_AT);
    const around = maxStep(run.out, CHANGE_AT, CHANGE_AT + FS / 10);
    t.ok(steady > 0.005, `the anti-noise is running before the change (max step ${steady.toFixed(4)})`);
    t.ok(around <= steady * 1.5, `max sample-to-sample step ${around.toFixed(4)} within 1.5x steady ${steady.toFixed(4)}`);
    t.equal(fw.status().recoveries, 0, 'no recovery was needed');
  });
}

t.test('an instant change would be caught by this measure', async (t) => {
  // the control: the same tone with its amplitude halved between two samples
  const y = tone(FS).map((v, n) => (n < CHANGE_AT + 40 ? v : v * 0.5));
  const jump = maxStep(y, CHANGE_AT, CHANGE_AT + FS / 10);
  t.ok(jump > maxStep(y, 0, CHANGE_AT) * 1.5, `halving in one sample shows as a step of ${jump.toFixed(4)}`);
});

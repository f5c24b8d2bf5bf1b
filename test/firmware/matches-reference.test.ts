// The compiled firmware (scalar and SIMD builds) against the float64 reference engine, each in its
// own closed loop on the same plant. float32 arithmetic and the builds' summation orders make the
// outputs differ by about 1e-5 (relative RMS) here; the stated tolerance is 1e-3, far below what a
// wrong tap, sign, window or step would give.
import t, { type Test } from 'tap';
import { loadFirmware, ALGORITHMS, type AlgorithmName, type FirmwareVariant } from '../../firmware/loader.ts';
import { ReferenceEngine, type EngineParams } from '../../simulator/reference/engine.ts';
import { runClosedLoop, seenSecondaryPath, type Plant } from '../../simulator/reference/closed-loop.ts';
import { plantFor, CONVERGING_PARAMS } from '../../simulator/reference/test-plant.ts';
import { startFirmware } from '../../simulator/reference/started-firmware.ts';

const SAMPLES = 9600; // 0.2 s at 48 kHz
const TOLERANCE = 1e-3;
const MIN_ATTENUATION_DB = 6;

function rms(a: ArrayLike<number>, from = 0): number {
  let s = 0;
  for (let i = from; i < a.length; i++) s += a[i]! ** 2;
  return Math.sqrt(s / (a.length - from));
}

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  const diff = Array.from(expected, (v, i) => actual[i]! - v);
  return rms(diff) / rms(expected);
}

interface Case {
  params: Partial<EngineParams> & { algorithm: AlgorithmName; taps: number };
  block: number;
  plant: Plant;
  /** the model given to both (default: the exact seen path) */
  secondaryPath?: Float64Array;
}

/** Checks both builds against the reference; returns the reference engine and its attenuation in dB. */
function check(t: Test, c: Case): { reference: ReferenceEngine; attenuationDb: number } {
  const shat = c.secondaryPath ?? seenSecondaryPath(c.plant.secondary, c.block);
  const reference = new ReferenceEngine().init(48000).configure(c.params).setSecondaryPath(shat);
  const expected = runClosedLoop(reference, c.plant, c.block);
  for (const variant of ['scalar', 'simd'] as FirmwareVariant[]) {
    const fw = loadFirmware({ variant }).init(48000);
    const actual = runClosedLoop(startFirmware(fw, c.params, shat), c.plant, c.block);
    const err = relativeError(actual.out, expected.out);
    t.ok(err < TOLERANCE, `${variant}: relative RMS error ${err.toExponential(1)} < ${TOLERANCE}`);
    const status = fw.status();
    t.equal(status.recoveries, 0, `${variant}: the stability guard stayed out of it`);
    t.equal(status.sanitized, reference.sanitized, `${variant}: sanitised as many samples`);
  }
  const half = c.plant.disturbance.length / 2;
  return { reference, attenuationDb: 20 * Math.log10(rms(c.plant.disturbance, half) / rms(expected.error, half)) };
}

function converges(t: Test, attenuationDb: number): void {
  t.ok(attenuationDb > MIN_ATTENUATION_DB, `converges: ${attenuationDb.toFixed(1)} dB > ${MIN_ATTENUATION_DB} dB over the second half`);
}

for (const algorithm of ALGORITHMS) {
  for (const block of [1, 32]) {
    // 13 taps exercises the kernels' remainder loops (scalar: 4-wide, SIMD: 8-wide)
    const lengths = algorithm === 'rls' ? [13, 32] : [13, 64];
    for (const taps of lengths) {
      t.test(`${algorithm}, ${taps} taps, blocks of ${block}: output within ${TOLERANCE} relative RMS of the float64 reference over ${SAMPLES} samples`, async (t) => {
        converges(t, check(t, { params: { algorithm, taps, ...CONVERGING_PARAMS[algorithm] }, block, plant: plantFor(algorithm, SAMPLES, block) }).attenuationDb);
      });
    }
  }
}

t.test(`fxlms with output gain 0.5: the virtual error sees the unplayed anti-noise (within ${TOLERANCE})`, async (t) => {
  const { attenuationDb } = check(t, { params: { algorithm: 'fxlms', taps: 32, ...CONVERGING_PARAMS.fxlms, intensity: 0.5 }, block: 32, plant: plantFor('fxlms', SAMPLES, 32) });
  // the filter converges on the virtual error, so half of the full anti-noise is played: 6 dB
  t.ok(Math.abs(attenuationDb - 6) < 1, `attenuation ${attenuationDb.toFixed(1)} dB is about 6 dB`);
});

t.test(`fxlms against a limit just below its anti-noise peaks: limiter attack and release match (within ${TOLERANCE})`, async (t) => {
  // a fast step overshoots the limit while converging; harder limiting makes the guard step in
  // (it counts a mostly saturated output as divergence)
  const { reference, attenuationDb } = check(t, { params: { algorithm: 'fxlms', taps: 32, stepSize: 0.05, limit: 0.35 }, block: 32, plant: plantFor('fxlms', SAMPLES, 32) });
  t.ok(reference.limited > 100, `the limiter engaged (${reference.limited} samples)`);
  converges(t, attenuationDb);
});

t.test(`hybrid with NaN, infinite and beyond-full-scale input samples: sanitised alike (within ${TOLERANCE})`, async (t) => {
  const plant = plantFor('hybrid', SAMPLES, 32);
  plant.reference[1000] = NaN;
  plant.reference[2000] = 4;
  plant.disturbance[3000] = -Infinity;
  plant.disturbance[4000] = 1.5;
  const { reference, attenuationDb } = check(t, { params: { algorithm: 'hybrid', taps: 32, ...CONVERGING_PARAMS.hybrid }, block: 32, plant });
  t.equal(reference.sanitized, 4);
  converges(t, attenuationDb);
});

t.test(`fxlms given a model with a non-zero tap 0: both ignore it (within ${TOLERANCE})`, async (t) => {
  const plant = plantFor('fxlms', SAMPLES, 1);
  const secondaryPath = seenSecondaryPath(plant.secondary, 1);
  secondaryPath[0] = 0.5;
  converges(t, check(t, { params: { algorithm: 'fxlms', taps: 32, ...CONVERGING_PARAMS.fxlms }, block: 1, plant, secondaryPath }).attenuationDb);
});

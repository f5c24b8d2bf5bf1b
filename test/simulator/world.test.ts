import t from 'tap';
import type { AncStatus } from '../../firmware/loader.ts';
import { cascade } from '../../simulator/acoustics/impulse-response.ts';
import { plantPaths } from '../../simulator/acoustics/plant.ts';
import { getScenario } from '../../simulator/scenarios/index.ts';
import { endToEndSecondaryPath, runScenario, runWorld, type FirmwarePort, type World } from '../../simulator/world.ts';

const fs = 48000;
const closed = plantPaths('earcup-closed');

/** A scripted stand-in for the module: plays `pulse` at one sample index and records what it is told. */
function scriptedFirmware(pulseAt: number, pulse = 0.5) {
  let n = 0;
  const calls: { configure: unknown[]; frames: number[]; model?: number[] } = { configure: [], frames: [] };
  const fw: FirmwarePort = {
    maxBlock: 256,
    ref: new Float32Array(256),
    err: new Float32Array(256),
    out: new Float32Array(256),
    init: () => fw as never,
    configure(params) {
      calls.configure.push(params);
      return fw as never;
    },
    setSecondaryPath(c) {
      calls.model = Array.from(c);
      return fw as never;
    },
    processFrames(frames) {
      for (let i = 0; i < frames; i++) fw.out[i] = n + i === pulseAt ? pulse : 0;
      calls.frames.push(frames);
      n += frames;
      return frames;
    },
    status: () => ({ taps: 7 }) as AncStatus,
  };
  return { fw, calls };
}

function world(overrides: Partial<World> = {}): World {
  const samples = overrides.samples ?? 2400;
  return {
    sampleRate: fs,
    samples,
    block: 1,
    adcLatency: 1,
    dacLatency: 1,
    noise: { source: new Float32Array(samples) },
    plant: closed,
    sensorSnrDb: 40,
    params: { algorithm: 'fxlms' },
    seed: 1,
    ...overrides,
  };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

t.test('causal: a pulse the firmware writes reaches the error mic block + DAC + ADC samples later, through S', async (t) => {
  const delta = { primary: closed.primary, secondary: Float32Array.from([1]) };
  for (const [block, dac, adc] of [[1, 0, 0], [1, 1, 1], [4, 2, 3], [32, 0, 5], [256, 1, 1]]) {
    const pulseAt = 1003; // off the block boundary for most sizes
    const { fw } = scriptedFirmware(pulseAt);
    const trace = runWorld(fw, world({ plant: delta, block, dacLatency: dac, adcLatency: adc }));
    const arrival = pulseAt + block + dac + adc;
    t.equal(trace.errorMic.findIndex((v) => v !== 0), arrival, `block ${block}, DAC ${dac}, ADC ${adc}`);
    t.equal(trace.errorMic[arrival], 0.5);
    t.equal(trace.secondaryPath.length, block + dac + adc + 1);
    t.equal(trace.secondaryPath[block + dac + adc], 1);
  }
});

t.test('the error mic hears exactly trace.secondaryPath applied to the pulse; the model given is that path', async (t) => {
  const { fw, calls } = scriptedFirmware(500);
  const trace = runWorld(fw, world({ block: 8, dacLatency: 2, secondaryModel: (s) => s }));
  t.same(trace.secondaryPath, endToEndSecondaryPath(closed.secondary, 8, 2, 1));
  const heard = trace.errorMic.subarray(500, 500 + trace.secondaryPath.length);
  t.ok(maxAbsDiff(heard, trace.secondaryPath.map((v) => Math.fround(0.5 * v))) < 1e-7);
  t.same(calls.model, Array.from(trace.secondaryPath));
  t.same(calls.configure, [{ algorithm: 'fxlms' }]);
  t.equal(trace.taps, 7);
  t.ok(calls.frames.every((f) => f === 8));
  t.equal(calls.frames.length, 2400 / 8);
});

t.test('noise: the reference hears the source, the error mic P * source, both with self-noise at the stated SNR', async (t) => {
  const samples = 9600;
  const source = Float32Array.from({ length: samples }, (_, i) => 0.1 * Math.sin(i / 7));
  const { fw } = scriptedFirmware(-1);
  const trace = runWorld(fw, world({ samples, noise: { source }, sensorSnrDb: 30 }));
  const expected = cascade(closed.primary, source);
  t.ok(maxAbsDiff(trace.disturbance.subarray(1), expected.subarray(0, samples - 1)) < 1e-6, 'd = P * s, one ADC sample late');
  t.equal(maxAbsDiff(trace.residual, trace.disturbance), 0, 'no anti-noise, no difference');
  const snr = (clean: ArrayLike<number>, noisy: ArrayLike<number>) => {
    let ps = 0, pn = 0;
    for (let i = 1; i < samples; i++) {
      ps += clean[i] ** 2;
      pn += (noisy[i] - clean[i]) ** 2;
    }
    return 10 * Math.log10(ps / pn);
  };
  const delayedSource = Float32Array.from({ length: samples }, (_, i) => (i > 0 ? source[i - 1] : 0));
  t.ok(Math.abs(snr(delayedSource, trace.reference) - 30) < 0.5, `reference SNR ${snr(delayedSource, trace.reference)}`);
  t.ok(Math.abs(snr(trace.disturbance, trace.errorMic) - 30) < 0.5, `error mic SNR ${snr(trace.disturbance, trace.errorMic)}`);
});

t.test('local noise (wind) reaches each mic directly', async (t) => {
  const samples = 100;
  const spike = (at: number) => Float32Array.from({ length: samples }, (_, i) => (i === at ? 0.25 : 0));
  const { fw } = scriptedFirmware(-1);
  const trace = runWorld(fw, world({ samples, adcLatency: 0, sensorSnrDb: 200, noise: { source: new Float32Array(samples), local: { reference: spike(10), error: spike(20) } } }));
  t.equal(trace.reference[10], 0.25);
  t.equal(trace.disturbance[20], 0.25);
  t.equal(trace.disturbance[10], 0);
});

t.test('a path change switches the plant at its sample and is reported where the firmware hears it', async (t) => {
  const shifted = plantPaths('earcup-shifted');
  const { fw } = scriptedFirmware(-1);
  const trace = runWorld(fw, world({ block: 16, adcLatency: 2, pathChange: { at: 2000, plant: shifted } }));
  t.equal(trace.lastPathChange, 2002);
  t.same(trace.secondaryPath, endToEndSecondaryPath(shifted.secondary, 16, 1, 2));
  t.equal(runWorld(scriptedFirmware(-1).fw, world()).lastPathChange, 0);
});

t.test('refuses what the firmware cannot take', async (t) => {
  const { fw } = scriptedFirmware(-1);
  t.throws(() => runWorld(fw, world({ block: 0 })), RangeError);
  t.throws(() => runWorld(fw, world({ block: 257 })), RangeError);
  t.throws(() => runWorld(fw, world({ samples: 0 })), RangeError);
});

// The real module from here on.
const road = getScenario('road');
const attenuationDb = (d: Float32Array, r: Float32Array, from: number) => {
  let pd = 0, pr = 0;
  for (let i = from; i < d.length; i++) {
    pd += d[i] ** 2;
    pr += r[i] ** 2;
  }
  return 10 * Math.log10(pd / pr);
};

t.test('real firmware: residual = disturbance + secondaryPath * antiNoise, sample for sample, for any block size', async (t) => {
  for (const block of [1, 5, 64]) {
    const trace = runScenario({ ...road, block }, { seconds: 0.3 });
    const heard = cascade(trace.secondaryPath, trace.antiNoise);
    const err = maxAbsDiff(trace.residual, trace.disturbance.map((d, n) => d + heard[n]));
    t.ok(err < 1e-5, `block ${block}: max error ${err}`);
    t.ok(trace.antiNoise.some((v) => v !== 0), 'the firmware played anti-noise');
  }
});

t.test('real firmware: deterministic, and bypass leaves the disturbance as it is', async (t) => {
  const a = runScenario(road, { seconds: 0.3 });
  t.equal(maxAbsDiff(runScenario(road, { seconds: 0.3 }).residual, a.residual), 0, 'same seed, same trace');
  t.not(maxAbsDiff(runScenario({ ...road, seed: 2 }, { seconds: 0.3 }).residual, a.residual), 0, 'another seed, another trace');
  const bypassed = runScenario(road, { seconds: 0.3, params: { bypass: 1 } });
  // bypass fades the output out over the firmware's 5 ms ramp; 100 ms later nothing is left
  t.ok(Math.abs(attenuationDb(bypassed.disturbance, bypassed.residual, 0.1 * fs)) < 0.01);
  t.ok(attenuationDb(a.disturbance, a.residual, 0.1 * fs) > 3, 'without bypass the firmware acts');
});

t.test('run options override the scenario', async (t) => {
  const tone = getScenario('tone');
  const noise = Float32Array.from({ length: 480 }, (_, i) => 0.1 * Math.sin((2 * Math.PI * i) / 48));
  const trace = runScenario(tone, { seconds: 0.5, noise, algorithm: 'nlms', params: { taps: 16 }, variant: 'scalar' });
  t.equal(trace.disturbance.length, 0.5 * fs);
  t.equal(trace.taps, 16);
  t.ok(trace.reference.some((v) => Math.abs(v) > 0.09), 'the given noise was played');
});

t.test('real firmware: the default tone scenario is cancelled deeply within a second', async (t) => {
  const trace = runScenario(getScenario('tone'), { seconds: 1.5 });
  const db = attenuationDb(trace.disturbance, trace.residual, fs);
  t.ok(db > 35, `tone attenuated by ${db.toFixed(1)} dB over 1-1.5 s`);
});

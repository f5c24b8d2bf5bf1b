// On-device calibration against the simulated acoustics: mic gain trim (a known calibrator level
// at both mics), secondary-path identification (excitation through the true speaker-to-error-mic
// path, DAC/ADC latency and sensor hiss included, estimated by least squares), and an ANC on/off
// attenuation check running the slot's own firmware with the new estimate. The true path is
// known here, so every run reports how far the estimate is from it (misalignmentDb).
import { createHash } from 'node:crypto';
import type { Firmware } from '../../firmware/loader.ts';
import type { BodyOfKind } from '../../host/protocol/message-catalogue.ts';
import { plantPaths, type PlantPreset } from '../acoustics/plant.ts';
import { createRandom } from '../acoustics/random.ts';
import { endToEndSecondaryPath, runWorld } from '../world.ts';
import { correlations, misalignmentDb, solveToeplitz } from './secondary-path-estimate.ts';

const FS = 48000;
/** Converter latency of the simulated headset: block 1 + DAC 1 + ADC 1 samples. */
const BLOCK = 1;
const DAC = 1;
const ADC = 1;

export interface CalibrationRecord {
  formatVersion: 1;
  deviceId: string;
  created: string;
  sampleRate: number;
  plant: string;
  coefficients: number[];
  micGainsDb: number[];
  metrics: Record<string, number>;
}

export interface CalibrationOutcome {
  coefficients: Float32Array;
  micGainsDb: Float32Array;
  metrics: Array<{ name: string; value: number }>;
  record?: CalibrationRecord;
}

export interface CalibrationContext {
  plant: PlantPreset;
  firmware: Firmware | undefined;
  deviceId: string;
  progress(done: number, total: number): Promise<void>;
}

/** The unit's true mic sensitivity errors (dB), fixed per device id as a production spread would be. */
export function micSensitivityErrorsDb(deviceId: string): [number, number] {
  const h = createHash('sha256').update(deviceId).digest();
  return [((h[0] / 255) * 2 - 1) * 1.5, ((h[1] / 255) * 2 - 1) * 1.5];
}

export async function runCalibration(req: BodyOfKind<'calibration-start'>, ctx: CalibrationContext): Promise<CalibrationOutcome> {
  const taps = req.taps || 128;
  if (taps < 2 || taps > 256) throw Object.assign(new Error(`taps ${taps} outside 2..256`), { refusal: true });
  const plant = plantPaths(ctx.plant, FS);
  const truth = endToEndSecondaryPath(plant.secondary, BLOCK, DAC, ADC);
  const random = createRandom(0x5eed).uniform;
  const [refErr, errErr] = micSensitivityErrorsDb(ctx.deviceId);
  const metrics: CalibrationOutcome['metrics'] = [];
  const doAll = req.procedure === 'full';

  // Mic trim: a 94 dB SPL calibrator reads as -20 dBFS on a nominal mic; the trim undoes the error.
  let micGainsDb: Float32Array = new Float32Array(0);
  if (doAll || req.procedure === 'mic-trim') {
    const measure = (errDb: number) => {
      const g = 10 ** ((-20 + errDb) / 20) * Math.SQRT2;
      let power = 0;
      for (let n = 0; n < 4800; n++) {
        const s = g * Math.sin((2 * Math.PI * 1000 * n) / FS) + 1e-4 * (random() * 2 - 1);
        power += s * s;
      }
      return 10 * Math.log10(power / 4800) - -20;
    };
    micGainsDb = Float32Array.from([-measure(refErr), -measure(errErr)]);
    metrics.push({ name: 'micTrimResidualDb', value: Math.max(Math.abs(refErr + micGainsDb[0]), Math.abs(errErr + micGainsDb[1])) });
  }
  const errTrim = micGainsDb.length ? micGainsDb[1] : 0;

  let coefficients: Float32Array = new Float32Array(0);
  if (doAll || req.procedure === 'secondary-path') {
    const n = Math.max(taps * 40, Math.round((req.durationMs / 1000) * FS));
    const level = 10 ** (req.levelDbfs / 20);
    const x = excitation(req.excitation, n, level, random);
    // Error mic: speaker sound through S (with latency), ambient noise and hiss, then the mic's gain error.
    const e = new Float32Array(n);
    const micGain = 10 ** ((errErr + errTrim) / 20);
    const hiss = level * 10 ** (-50 / 20);
    for (let t = 0; t < n; t++) {
      let acc = 0;
      for (let k = 0; k < truth.length && k <= t; k++) acc += truth[k] * x[t - k];
      e[t] = micGain * (acc + hiss * (random() * 2 - 1));
    }
    const acc = { r: new Float64Array(taps), p: new Float64Array(taps) };
    const chunk = 4800;
    for (let from = 0; from < n; from += chunk) {
      correlations(x, e, taps, from, Math.min(n, from + chunk), acc);
      await ctx.progress(Math.min(n, from + chunk), n); // keeps the host's inactivity timer fed
    }
    coefficients = solveToeplitz(acc.r, acc.p);
    metrics.push({ name: 'misalignmentDb', value: misalignmentDb(truth, coefficients) });
  }

  if ((doAll || req.procedure === 'verify-attenuation') && ctx.firmware) {
    const model = coefficients.length ? coefficients : truth;
    const run = (bypass: number) => {
      const source = lowpassNoise(FS, 0.1, createRandom(7).uniform);
      const trace = runWorld(ctx.firmware!, {
        sampleRate: FS,
        samples: FS,
        block: BLOCK,
        adcLatency: ADC,
        dacLatency: DAC,
        noise: { source },
        plant,
        sensorSnrDb: 60,
        params: { algorithm: 'fxlms', taps: 64, stepSize: 0.05, bypass },
        secondaryModel: () => model,
        seed: 3,
      });
      return attenuationDb(trace.disturbance, trace.residual);
    };
    metrics.push({ name: 'attenuationOnDb', value: run(0) });
    metrics.push({ name: 'attenuationOffDb', value: run(1) });
  }

  const record: CalibrationRecord | undefined = coefficients.length
    ? {
        formatVersion: 1,
        deviceId: ctx.deviceId,
        created: new Date().toISOString(),
        sampleRate: FS,
        plant: ctx.plant,
        coefficients: [...coefficients],
        micGainsDb: [...micGainsDb],
        metrics: Object.fromEntries(metrics.map((m) => [m.name, m.value])),
      }
    : undefined;
  return { coefficients, micGainsDb, metrics, record };
}

function excitation(kind: BodyOfKind<'calibration-start'>['excitation'], n: number, level: number, random: () => number): Float32Array {
  const x = new Float32Array(n);
  if (kind === 'sweep') {
    // exponential sweep 20 Hz..20 kHz: phase of f0 * (k^(t/T) - 1) / ln k
    const f0 = 20;
    const k = 1000;
    const T = n / FS;
    for (let t = 0; t < n; t++) x[t] = level * Math.SQRT2 * Math.sin(((2 * Math.PI * f0 * T) / Math.log(k)) * (k ** (t / FS / T) - 1));
    return x;
  }
  if (kind === 'mls') {
    let reg = 0x1ff; // 9-bit LFSR, taps 9 and 5: a maximum-length binary sequence
    for (let t = 0; t < n; t++) {
      const bit = ((reg >> 8) ^ (reg >> 4)) & 1;
      reg = ((reg << 1) | bit) & 0x1ff;
      x[t] = bit ? level : -level;
    }
    return x;
  }
  for (let t = 0; t < n; t++) x[t] = level * Math.sqrt(3) * (random() * 2 - 1);
  return x;
}

function lowpassNoise(n: number, rms: number, random: () => number): Float32Array {
  const x = new Float32Array(n);
  let y = 0;
  for (let t = 0; t < n; t++) {
    y = 0.9 * y + 0.1 * (random() * 2 - 1);
    x[t] = y;
  }
  let p = 0;
  for (const v of x) p += v * v;
  const g = rms / Math.sqrt(p / n);
  for (let t = 0; t < n; t++) x[t] *= g;
  return x;
}

function attenuationDb(off: Float32Array, on: Float32Array): number {
  const from = Math.floor(off.length / 2);
  let a = 0;
  let b = 0;
  for (let t = from; t < off.length; t++) {
    a += off[t] * off[t];
    b += on[t] * on[t];
  }
  return 10 * Math.log10(b / a);
}

// The acoustic world around one virtual headset, driving the real firmware module sample-accurately.
//
// Per sample n (48 kHz): the noise source gives s(n) at the reference mic; the error mic hears
// d = P * s (+ any sound arising at the error mic alone, like wind). The firmware's output block k
// is played during block k+1 (processing is instant at the block boundary), through the DAC latency,
// DAC clipping at full scale and S; each mic adds its self-noise, clips, and reaches the firmware
// after the ADC latency. The error mic for a block is computed only from anti-noise already played.
//
// Every trace signal is on the firmware's clock (index n = the n-th sample the firmware received or
// wrote), so trace.secondaryPath is the whole path from output buffer to error input and
//   residual[n] = disturbance[n] + (trace.secondaryPath * antiNoise)[n]
// holds exactly while the plant stays put.
import { type AlgorithmName, type Firmware, type FirmwareVariant, loadFirmware, type ParamName } from '../firmware/loader.ts';
import { Adc } from './acoustics/converter.ts';
import { delayed } from './acoustics/impulse-response.ts';
import { PathSchedule } from './acoustics/path-schedule.ts';
import { type PlantPaths, plantPaths } from './acoustics/plant.ts';
import { createRandom } from './acoustics/random.ts';
import { estimateSecondaryPath } from './acoustics/secondary-path-estimate.ts';
import { meanSquare } from './noise/level.ts';
import { generateNoise, looped, type NoiseSignals } from './noise/noise-spec.ts';
import type { Scenario } from './scenarios/scenario.ts';
import type { RunTrace } from './trace.ts';

export const SAMPLE_RATE = 48000;

export interface RunOptions {
  /** Overrides the scenario's. */
  algorithm?: AlgorithmName;
  /** Merged over the scenario's. */
  params?: Partial<Record<ParamName, number>>;
  /** Replaces the scenario's noise source (already at 48 kHz, looped if short). */
  noise?: Float32Array;
  /** Default 'scalar', the build a headset runs; 'simd' gives the same results a little faster. */
  variant?: FirmwareVariant;
  /** Overrides the duration. */
  seconds?: number;
}

/** The part of the firmware loader the world drives; tests may substitute a scripted fake. */
export type FirmwarePort = Pick<Firmware, 'maxBlock' | 'ref' | 'err' | 'out' | 'init' | 'configure' | 'setSecondaryPath' | 'processFrames' | 'status'>;

/** Everything one run needs, resolved to samples and signals. */
export interface World {
  sampleRate: number;
  samples: number;
  block: number;
  adcLatency: number;
  dacLatency: number;
  noise: NoiseSignals;
  plant: PlantPaths;
  pathChange?: { at: number; plant: PlantPaths };
  sensorSnrDb: number;
  /** What the firmware is configured with after init (algorithm first). */
  params: Partial<Record<ParamName, number | AlgorithmName>>;
  /** S^ from the true end-to-end path at the start; undefined keeps the firmware's default. */
  secondaryModel?: (truePath: Float32Array) => Float32Array;
  seed: number;
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunTrace {
  const fs = SAMPLE_RATE;
  const samples = Math.round((options.seconds ?? scenario.seconds) * fs);
  const seed = scenario.seed ?? 1;
  const random = createRandom(seed);
  const change = scenario.pathChange;
  return runWorld(loadFirmware({ variant: options.variant ?? 'scalar' }), {
    sampleRate: fs,
    samples,
    block: scenario.block ?? 1,
    adcLatency: scenario.adcLatency ?? 1,
    dacLatency: scenario.dacLatency ?? 1,
    noise: options.noise ? { source: looped(options.noise, samples) } : generateNoise(scenario.noise, samples, fs, seed),
    plant: plantPaths(scenario.plant ?? 'earcup-closed', fs),
    pathChange: change && { at: Math.round(change.atSeconds * fs), plant: plantPaths(change.plant, fs) },
    sensorSnrDb: scenario.sensorSnrDb,
    params: { algorithm: options.algorithm ?? scenario.algorithm, ...scenario.params, ...options.params },
    secondaryModel: (s) => estimateSecondaryPath(s, scenario.modelTaps ?? 128, scenario.secondaryPathError ?? 0, random),
    seed,
  });
}

/** The path from the firmware's output buffer to its error-mic input, as the host loop runs it. */
export function endToEndSecondaryPath(acoustic: Float32Array, block: number, dacLatency: number, adcLatency: number): Float32Array {
  return delayed(acoustic, block + dacLatency + adcLatency);
}

export function runWorld(firmware: FirmwarePort, world: World): RunTrace {
  const { sampleRate: fs, samples: total, block, adcLatency, dacLatency, noise, plant } = world;
  if (!(Number.isInteger(total) && total > 0)) throw new RangeError(`a run needs at least one sample, not ${total}`);
  if (!(Number.isInteger(block) && block >= 1 && block <= firmware.maxBlock)) {
    throw new RangeError(`block ${block} must be a whole number in 1..${firmware.maxBlock}`);
  }
  if (!(Number.isInteger(dacLatency) && dacLatency >= 0)) throw new RangeError(`DAC latency ${dacLatency} must be a whole number of samples`);
  const primary = new PathSchedule(plant.primary);
  const secondary = new PathSchedule(plant.secondary);
  if (world.pathChange) {
    primary.change(world.pathChange.at, world.pathChange.plant.primary);
    secondary.change(world.pathChange.at, world.pathChange.plant.secondary);
  }

  // The noise's share of both mics needs nothing from the firmware: computed up front.
  const atReference = noise.source.slice(0, total);
  const noiseAtError = new Float32Array(total);
  primary.convolveInto(noise.source, noiseAtError, 0, total);
  if (noise.local) {
    for (let t = 0; t < total; t++) {
      atReference[t] += noise.local.reference[t];
      noiseAtError[t] += noise.local.error[t];
    }
  }
  const hiss = (clean: Float32Array) => Math.sqrt(meanSquare(clean) * 10 ** (-world.sensorSnrDb / 10));
  const stream = (k: number) => createRandom((world.seed ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0);
  const refAdc = new Adc(adcLatency, hiss(atReference), stream(0));
  const errAdc = new Adc(adcLatency, hiss(noiseAtError), stream(1));

  firmware.init(fs);
  firmware.configure(world.params);
  if (world.secondaryModel) firmware.setSecondaryPath(world.secondaryModel(endToEndSecondaryPath(plant.secondary, block, dacLatency, adcLatency)));

  const atError = noiseAtError.slice();
  const speaker = new Float32Array(total);
  const reference = new Float32Array(total);
  const errorMic = new Float32Array(total);
  const antiNoise = new Float32Array(total);
  const playDelay = block + dacLatency;
  for (let n0 = 0; n0 < total; n0 += block) {
    const frames = Math.min(block, total - n0);
    // the sound the ADC delivers in this block left the speaker at least one block ago
    secondary.convolveInto(speaker, atError, Math.max(0, n0 - adcLatency), Math.max(0, n0 + frames - adcLatency));
    for (let i = 0; i < frames; i++) {
      const x = refAdc.sample(atReference, n0 + i);
      const e = errAdc.sample(atError, n0 + i);
      reference[n0 + i] = x;
      errorMic[n0 + i] = e;
      firmware.ref[i] = x;
      firmware.err[i] = e;
    }
    firmware.processFrames(frames);
    for (let i = 0; i < frames; i++) {
      const y = firmware.out[i];
      antiNoise[n0 + i] = y;
      const t = n0 + i + playDelay;
      if (t < total) speaker[t] = y > 1 ? 1 : y < -1 ? -1 : y;
    }
  }

  return {
    sampleRate: fs,
    disturbance: delayed(noiseAtError, adcLatency).subarray(0, total),
    residual: delayed(atError, adcLatency).subarray(0, total),
    reference,
    errorMic,
    antiNoise,
    secondaryPath: endToEndSecondaryPath(secondary.at(total - 1), block, dacLatency, adcLatency),
    lastPathChange: world.pathChange ? world.pathChange.at + adcLatency : 0,
    taps: firmware.status().taps,
    status: firmware.status(),
  };
}

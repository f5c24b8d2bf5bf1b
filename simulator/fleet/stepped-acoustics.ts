// The acoustic world of simulator/world.ts, advanced a step at a time instead of run to the end:
// a headset on the network lives for as long as it is connected, so its sound cannot be a
// finished signal. The same loop as runWorld (ADC latency and hiss, the firmware's block, DAC
// latency and clipping, S), on ring buffers, over a seamless loop of the scenario's noise.
//
// Left out on purpose: a scenario's one-off path change (a loop would replay it forever); the
// headset stays on the scenario's initial plant.
import type { Firmware } from '../../firmware/loader.ts';
import { plantPaths } from '../acoustics/plant.ts';
import { createRandom, type Random } from '../acoustics/random.ts';
import { estimateSecondaryPath } from '../acoustics/secondary-path-estimate.ts';
import { meanSquare } from '../noise/level.ts';
import { generateNoise } from '../noise/noise-spec.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { endToEndSecondaryPath, SAMPLE_RATE, type FirmwarePort } from '../world.ts';

/** What the acoustics drive: the world's port, plus reading back what was configured and loading a model (over the air). */
export type HeadsetFirmware = FirmwarePort & Pick<Firmware, 'getParam' | 'tryLoadModel'>;

export interface SteppedAcousticsOptions {
  scenario: Scenario;
  /** Seeds noise and hiss; give each headset its own so a fleet is not one signal copied. */
  seed?: number;
  /** Length of the noise loop (default 2 s, at most the scenario's length). */
  loopSeconds?: number;
}

// Ring length: must exceed S's taps plus the play delay plus a block (128 + 3 + 128 at most).
const RING = 1024;
const MASK = RING - 1;

export class SteppedAcoustics {
  readonly sampleRate = SAMPLE_RATE;
  /** Samples the firmware has processed since init. */
  elapsed = 0;
  readonly #firmware: HeadsetFirmware;
  readonly #block: number;
  readonly #adcLatency: number;
  readonly #playDelay: number;
  readonly #secondary: Float32Array;
  // one loop of the sound at each mic with no anti-noise (local noise such as wind included)
  readonly #atReference: Float32Array;
  readonly #noiseAtError: Float32Array;
  readonly #firstPass: Float32Array;
  readonly #refHiss: number;
  readonly #errHiss: number;
  readonly #refRandom: Random;
  readonly #errRandom: Random;
  readonly #speaker = new Float32Array(RING);
  readonly #atError = new Float32Array(RING);
  /** Next capsule sample of the error mic still to compute. */
  #errorDone = 0;

  constructor(firmware: HeadsetFirmware, options: SteppedAcousticsOptions) {
    const { scenario } = options;
    const fs = SAMPLE_RATE;
    const seed = (options.seed ?? scenario.seed ?? 1) >>> 0;
    const loop = Math.round(Math.min(options.loopSeconds ?? 2, scenario.seconds) * fs);
    this.#firmware = firmware;
    this.#block = scenario.block ?? 1;
    this.#adcLatency = scenario.adcLatency ?? 1;
    const dacLatency = scenario.dacLatency ?? 1;
    this.#playDelay = this.#block + dacLatency;
    const plant = plantPaths(scenario.plant ?? 'earcup-closed', fs);
    this.#secondary = plant.secondary;
    if (this.#secondary.length + this.#playDelay + this.#block >= RING) throw new RangeError('secondary path too long for the ring');

    // The first pass starts from silence, as runWorld does (the headset powers up, then hears);
    // later passes wrap the primary path's memory around the loop, so the loop joins without a
    // click. The two differ only in the first primary-path-length samples.
    const noise = generateNoise(scenario.noise, loop, fs, seed);
    const src = noise.source;
    const primary = plant.primary;
    const firstPass = new Float32Array(loop);
    for (let t = 0; t < loop; t++) {
      let acc = 0;
      for (let k = 0; k < primary.length && k <= t; k++) acc += primary[k] * src[t - k];
      firstPass[t] = acc;
    }
    const atError = firstPass.slice();
    for (let t = 0; t < Math.min(primary.length, loop); t++) {
      for (let k = t + 1; k < primary.length; k++) atError[t] += primary[k] * src[(t - k + loop) % loop];
    }
    this.#atReference = noise.source.slice(0, loop);
    if (noise.local) {
      for (let t = 0; t < loop; t++) {
        this.#atReference[t] += noise.local.reference[t];
        atError[t] += noise.local.error[t];
        firstPass[t] += noise.local.error[t];
      }
    }
    this.#noiseAtError = atError;
    this.#firstPass = firstPass;
    const hiss = (clean: Float32Array) => Math.sqrt(meanSquare(clean) * 10 ** (-scenario.sensorSnrDb / 10));
    this.#refHiss = hiss(this.#atReference);
    this.#errHiss = hiss(atError);
    this.#refRandom = createRandom((seed ^ 0x9e3779b9) >>> 0);
    this.#errRandom = createRandom((seed ^ Math.imul(2, 0x9e3779b9)) >>> 0);

    firmware.init(fs);
    firmware.configure({ algorithm: scenario.algorithm, ...scenario.params });
    const model = estimateSecondaryPath(
      endToEndSecondaryPath(plant.secondary, this.#block, dacLatency, this.#adcLatency),
      scenario.modelTaps ?? 128,
      scenario.secondaryPathError ?? 0,
      createRandom(seed),
    );
    firmware.setSecondaryPath(model);
  }

  /** Runs about `seconds` of sound through the firmware (whole blocks). */
  stepSeconds(seconds: number): void {
    this.step(Math.max(this.#block, Math.round(seconds * SAMPLE_RATE)));
  }

  /** Runs `samples` (rounded up to whole blocks) through the firmware. */
  step(samples: number): void {
    const fw = this.#firmware;
    const block = this.#block;
    const adc = this.#adcLatency;
    const s = this.#secondary;
    const loop = this.#noiseAtError.length;
    const end = this.elapsed + Math.ceil(samples / block) * block;
    for (let n0 = this.elapsed; n0 < end; n0 += block) {
      // the sound the ADC delivers in this block left the speaker at least one block ago
      const upTo = n0 + block - adc;
      for (let t = this.#errorDone; t < upTo; t++) {
        let acc = t < loop ? this.#firstPass[t] : this.#noiseAtError[t % loop];
        const taps = Math.min(s.length, t + 1);
        for (let k = 0; k < taps; k++) acc += s[k] * this.#speaker[(t - k) & MASK];
        this.#atError[t & MASK] = acc;
      }
      if (upTo > this.#errorDone) this.#errorDone = upTo;
      for (let i = 0; i < block; i++) {
        const t = n0 + i - adc;
        fw.ref[i] = clip((t >= 0 ? this.#atReference[t % loop] : 0) + this.#refHiss * this.#refRandom.gaussian());
        fw.err[i] = clip((t >= 0 ? this.#atError[t & MASK] : 0) + this.#errHiss * this.#errRandom.gaussian());
      }
      fw.processFrames(block);
      for (let i = 0; i < block; i++) this.#speaker[(n0 + i + this.#playDelay) & MASK] = clip(fw.out[i]);
    }
    this.elapsed = end;
  }
}

function clip(v: number): number {
  return v > 1 ? 1 : v < -1 ? -1 : v;
}

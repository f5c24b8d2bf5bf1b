// The microphone's analog-to-digital converter: a fixed latency, sensor self-noise, and hard
// clipping at full scale, as a real codec delivers samples to the firmware.
import type { Random } from './random.ts';

export class Adc {
  constructor(
    /** Samples between sound reaching the capsule and the firmware receiving it. */
    readonly latency: number,
    /** RMS of the mic and converter self-noise, full-scale units. */
    private readonly noiseRms: number,
    private readonly random: Random,
  ) {
    if (!(Number.isInteger(latency) && latency >= 0)) throw new RangeError(`ADC latency ${latency} must be a whole number of samples`);
  }

  /** The sample the firmware receives at index `n`, given the sound at the capsule. */
  sample(sound: Float32Array, n: number): number {
    const t = n - this.latency;
    const v = (t >= 0 ? sound[t] : 0) + (this.noiseRms > 0 ? this.noiseRms * this.random.gaussian() : 0);
    return v > 1 ? 1 : v < -1 ? -1 : v;
  }
}

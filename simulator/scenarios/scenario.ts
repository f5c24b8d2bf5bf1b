// What one simulated situation is: the noise, the headset, the host's timing, and the firmware
// configuration that suits it. Data only; simulator/world.ts runs it.
import type { AlgorithmName, ParamName } from '../../firmware/loader.ts';
import type { PlantPreset } from '../acoustics/plant.ts';
import type { NoiseSpec } from '../noise/noise-spec.ts';

export interface Scenario {
  /** kebab-case, e.g. 'tone'. */
  name: string;
  description: string;
  seconds: number;
  /** The algorithm that suits it. */
  algorithm: AlgorithmName;
  /** Firmware parameters (taps, stepSize, ...). */
  params: Partial<Record<ParamName, number>>;
  /** Mic self-noise, in dB below the clean sound at each mic over the run. */
  sensorSnrDb: number;
  noise: NoiseSpec;
  /** Default 'earcup-closed'. */
  plant?: PlantPreset;
  /** The headset moves at `atSeconds`: from then on the plant is `plant`. */
  pathChange?: { atSeconds: number; plant: PlantPreset };
  /** Relative error of the secondary-path model ||S^ - S|| / ||S||; default 0 (exact). */
  secondaryPathError?: number;
  /** Taps of the secondary-path model given to the firmware (at most 256); default 128. */
  modelTaps?: number;
  /** Frames per anc_process call; default 1. */
  block?: number;
  /** Converter latencies in samples; default 1 each. */
  adcLatency?: number;
  dacLatency?: number;
  /** Seeds every random thing in the run; default 1. */
  seed?: number;
}

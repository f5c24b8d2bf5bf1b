// What the benchmark runs every implementation on: the test plant's closed loop in blocks of BLOCK
// frames, with a converging step size, so each filter adapts as it would on a headset.
import type { AlgorithmName } from '../firmware/loader.ts';
import { seenSecondaryPath, type Plant } from '../simulator/reference/closed-loop.ts';
import { plantFor, CONVERGING_PARAMS } from '../simulator/reference/test-plant.ts';
import type { FirmwareParams } from '../simulator/reference/started-firmware.ts';

export const BLOCK = 64;
/** S^ length: the block's playback delay and the 16-tap acoustic path, padded as a measured model would be */
export const SEC_TAPS = 128;
export const SAMPLE_RATE = 48000;

export interface Workload {
  params: FirmwareParams;
  secondaryPath: Float64Array;
  plant: Plant;
}

export function workload(algorithm: AlgorithmName, taps: number, samples: number): Workload {
  const plant = plantFor(algorithm, samples, BLOCK);
  const secondaryPath = new Float64Array(SEC_TAPS);
  secondaryPath.set(seenSecondaryPath(plant.secondary, BLOCK));
  return { params: { algorithm, taps, ...CONVERGING_PARAMS[algorithm] }, secondaryPath, plant };
}

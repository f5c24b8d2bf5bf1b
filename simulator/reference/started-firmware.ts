// The firmware as a BlockProcessor, started on a given algorithm from a clean state, so its output
// can be compared sample for sample with the reference engine.
import type { Firmware, AlgorithmName, ParamName } from '../../firmware/loader.ts';
import type { BlockProcessor } from './closed-loop.ts';

export type FirmwareParams = Partial<Record<Exclude<ParamName, 'algorithm'>, number>> & { algorithm: AlgorithmName };

// silence processed at most while the firmware fades through its switch and ramps its step size
const MAX_SETTLE_SAMPLES = 48000;
const SETTLED = 1e-4; // relative distance of ramped values from their targets (float32 ramps stall near it)

/**
 * Configures `fw` (already initialised), loads S^, and feeds it silence until the algorithm switch
 * has completed and the step-size and gain ramps have reached their targets; then forgets what the
 * silence did (RLS's P winds up on silence).
 */
export function startFirmware(fw: Firmware, params: FirmwareParams, secondaryPath: ArrayLike<number>): BlockProcessor {
  fw.configure(params).setSecondaryPath(secondaryPath);
  fw.ref.fill(0);
  fw.err.fill(0);
  const mu = fw.getParam('stepSize');
  const gain = fw.getParam('intensity');
  const settled = () => {
    const s = fw.status();
    return (
      s.algorithm === params.algorithm &&
      s.taps === fw.getParam('taps') &&
      Math.abs(s.stepSize - mu) <= SETTLED * Math.max(mu, 1e-9) &&
      Math.abs(s.gain - gain) <= SETTLED * gain
    );
  };
  for (let n = 0; !settled(); n += fw.maxBlock) {
    if (n >= MAX_SETTLE_SAMPLES) throw new Error(`firmware did not settle on ${params.algorithm} within ${n} samples`);
    fw.processFrames(fw.maxBlock);
  }
  fw.reset();
  return {
    process(ref, err) {
      fw.ref.set(ref);
      fw.err.set(err);
      const n = fw.processFrames(ref.length);
      return fw.out.subarray(0, n);
    },
  };
}

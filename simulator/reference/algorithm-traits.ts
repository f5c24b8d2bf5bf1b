// What each algorithm does per sample, as firmware/assembly/algorithms.ts decides it.
import type { AlgorithmName } from '../../firmware/loader.ts';

export interface AlgorithmTraits {
  /** adapts a feedforward filter on the reference mic */
  feedforward: boolean;
  /** adapts a feedback filter on the estimated disturbance (internal model control) */
  feedback: boolean;
  /** adapts on S^ * x rather than x */
  filtersReference: boolean;
  /** divides the step by the regressor's window power */
  normalises: boolean;
  rls: boolean;
  /** adapts once per block in the frequency domain */
  frequencyDomain: boolean;
}

export function algorithmTraits(alg: AlgorithmName): AlgorithmTraits {
  return {
    feedforward: alg !== 'fb-fxlms',
    feedback: alg === 'fb-fxlms' || alg === 'hybrid',
    filtersReference: alg !== 'lms' && alg !== 'nlms' && alg !== 'leaky-nlms',
    normalises: alg !== 'lms' && alg !== 'rls',
    rls: alg === 'rls',
    frequencyDomain: alg === 'fd-fxlms',
  };
}

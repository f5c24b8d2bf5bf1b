import type { AncStatus } from '../firmware/loader.ts';

// What one simulated run records, sample by sample at the scenario's rate. The world produces it,
// the metrics, the Wiener optimum and the report read it.

export interface RunTrace {
  sampleRate: number;
  /** Sound at the error mic with ANC off (acoustic, no sensor noise): d(n). */
  disturbance: Float32Array;
  /** Sound at the error mic with ANC on (acoustic, no sensor noise): d(n) + (S * y)(n). */
  residual: Float32Array;
  /** Reference mic as the firmware received it (with sensor noise and converter latency). */
  reference: Float32Array;
  /** Error mic as the firmware received it. */
  errorMic: Float32Array;
  /** Anti-noise the firmware wrote, before the DAC. */
  antiNoise: Float32Array;
  /**
   * The true secondary path from the firmware's output buffer to its error-mic input (block,
   * converter and acoustic delays included) in force at the end of the run, i.e. the path the
   * steady state was reached on.
   */
  secondaryPath: Float32Array;
  /** Sample index where the last path change happened (0 when the paths never change). */
  lastPathChange: number;
  /** Controller length the firmware ran with (the Wiener optimum uses the same). */
  taps: number;
  /** The firmware's status at the end of the run (recoveries, limiter, ...). */
  status: AncStatus;
}

// The stretch of a run the steady-state figures are measured over.

export interface SampleWindow {
  /** First sample index (inclusive). */
  start: number;
  /** Last sample index (exclusive). */
  end: number;
}

/** The shortest window worth measuring: below this, spectra and the Wiener fit get noisy. */
const MIN_WINDOW_SECONDS = 0.1;

/**
 * The steady-state window: the last `fraction` of the run, moved later so that it never starts
 * before `lastPathChange` + 1 s (the adaptation after a path change is not steady state), as
 * long as that still leaves a usable window.
 */
export function steadyStateWindow(
  trace: { sampleRate: number; disturbance: ArrayLike<number>; lastPathChange: number },
  fraction = 0.25,
): SampleWindow {
  const end = trace.disturbance.length;
  let start = Math.floor(end * (1 - fraction));
  if (trace.lastPathChange > 0) {
    const settled = trace.lastPathChange + trace.sampleRate;
    if (settled > start && end - settled >= MIN_WINDOW_SECONDS * trace.sampleRate) start = settled;
  }
  return { start, end };
}

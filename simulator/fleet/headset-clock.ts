// Time as a virtual headset sees it: the wall clock for its samples' timestamps and a repeating
// timer for its ticks. Handed in, so a test drives a whole fleet tick by tick (manual-clock.ts)
// and the CLI runs it on real time.

export interface HeadsetClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const systemClock: HeadsetClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  },
};

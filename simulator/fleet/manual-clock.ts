// The fake next to systemClock: time moves only when the test says so, and every timer due in
// that span fires in time order, so a test of many headsets is deterministic and never sleeps.
import type { HeadsetClock } from './headset-clock.ts';

interface Timer {
  due: number;
  ms: number;
  tick: () => void;
  live: boolean;
}

export class ManualClock implements HeadsetClock {
  #now: number;
  readonly #timers = new Set<Timer>();

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  every(ms: number, tick: () => void): () => void {
    if (!(ms > 0)) throw new RangeError(`a timer period must be positive, not ${ms}`);
    const timer: Timer = { due: this.#now + ms, ms, tick, live: true };
    this.#timers.add(timer);
    return () => {
      timer.live = false;
      this.#timers.delete(timer);
    };
  }

  /** Moves time forward by `ms`, firing each due timer (repeatedly, in order of due time). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.#timers) if (t.due <= end && (!next || t.due < next.due)) next = t;
      if (!next) break;
      this.#now = next.due;
      next.due += next.ms;
      next.tick();
    }
    this.#now = end;
  }
}

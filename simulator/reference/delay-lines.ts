// The engine's six delay lines, laid out as firmware/assembly/dsp/history.ts lays them out: the
// newest sample at `pos`, the sample k steps older at pos + k, and the newest KEEP - 1 samples
// moved to the far end when the write index runs out of room.

export const MAX_TAPS = 512;
const LENGTH = 2048;
const KEEP = MAX_TAPS + 1;
const START = LENGTH - KEEP;

export class DelayLines {
  /** reference x(n) */
  readonly x = new Float64Array(LENGTH);
  /** filtered reference S^ * x (or x) */
  readonly r = new Float64Array(LENGTH);
  /** feedback reference d^(n) = e(n) - S^ * y_played */
  readonly xh = new Float64Array(LENGTH);
  /** filtered feedback reference S^ * d^ */
  readonly rf = new Float64Array(LENGTH);
  /** anti-noise played */
  readonly y = new Float64Array(LENGTH);
  /** anti-noise computed but not played (gain, limiter) */
  readonly d = new Float64Array(LENGTH);
  pos = START;

  /** Moves to the next sample and returns the index to write it at. */
  advance(): number {
    if (this.pos > 0) return --this.pos;
    for (const line of [this.x, this.r, this.xh, this.rf, this.y, this.d]) line.copyWithin(START + 1, 0, KEEP - 1);
    this.pos = START;
    return START;
  }

  clear(): void {
    for (const line of [this.x, this.r, this.xh, this.rf, this.y, this.d]) line.fill(0);
    this.pos = START;
  }
}

// The output peak limiter of firmware/assembly/dsp/limiter.ts: instant attack, exponential release.

const RELEASE_MS = 50;

export class PeakLimiter {
  private env = 0;
  private readonly release: number;
  /** samples that were scaled down */
  limited = 0;

  constructor(
    sampleRate: number,
    public threshold: number,
  ) {
    this.release = Math.exp(-1000 / (RELEASE_MS * sampleRate));
  }

  apply(y: number): number {
    const a = Math.abs(y);
    this.env = Math.max(this.env * this.release, a);
    if (this.env <= this.threshold) return y;
    this.limited++;
    return y * (this.threshold / this.env);
  }

  reset(): void {
    this.env = 0;
  }
}

// An acoustic path that may change during a run (the headset is re-seated, the wearer moves): the
// impulse response in force at each sample, and the convolution that applies it.

export class PathSchedule {
  private readonly starts: number[] = [0];
  private readonly responses: Float32Array[];

  constructor(initial: Float32Array) {
    this.responses = [initial];
  }

  /** From sample `at` on, the path is `response`; changes must come in time order. */
  change(at: number, response: Float32Array): this {
    const last = this.starts[this.starts.length - 1];
    if (!(Number.isInteger(at) && at > last)) throw new RangeError(`path change at ${at} must come after ${last}`);
    this.starts.push(at);
    this.responses.push(response);
    return this;
  }

  /** The response in force at sample `t`. */
  at(t: number): Float32Array {
    let i = this.starts.length - 1;
    while (this.starts[i] > t) i--;
    return this.responses[i];
  }

  /** Sample where the last change happened, 0 when the path never changes. */
  get lastChange(): number {
    return this.starts[this.starts.length - 1];
  }

  /**
   * Adds (h_t * input)(t) to output[t] for from <= t < to, h_t being the response in force at t: a
   * sudden change, as when a seal breaks. Only input[0..t] is read, so this can run block by block
   * as the input is produced.
   */
  convolveInto(input: Float32Array, output: Float32Array, from: number, to: number): void {
    let seg = this.starts.length - 1;
    while (this.starts[seg] > from) seg--;
    for (let t = from; t < to; t++) {
      if (seg + 1 < this.starts.length && this.starts[seg + 1] <= t) seg++;
      const h = this.responses[seg];
      const taps = Math.min(h.length, t + 1);
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += h[k] * input[t - k];
      output[t] += acc;
    }
  }
}

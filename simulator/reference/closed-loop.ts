// A minimal closed loop for comparing implementations of the engine: e(n) = d(n) + (S * y_played)(n),
// where the anti-noise of each block is played during the next one. Small and exact so a test can
// reason about it; the realistic acoustic world lives elsewhere in simulator/.

/** Anything that turns a block of reference and error samples into anti-noise. */
export interface BlockProcessor {
  process(ref: Float32Array, err: Float32Array): ArrayLike<number>;
}

export interface Plant {
  /** reference mic x(n) */
  reference: Float32Array;
  /** disturbance at the error mic with ANC off, d(n) */
  disturbance: Float64Array;
  /** speaker to error mic response, after the one-block playback delay */
  secondary: Float64Array;
}

export interface LoopRun {
  /** anti-noise the controller wrote */
  out: Float64Array;
  /** error mic e(n), as the controller received it (float32) */
  error: Float32Array;
}

/** The secondary path the controller sees: the block's playback delay, then the acoustic response. */
export function seenSecondaryPath(secondary: ArrayLike<number>, block: number): Float64Array {
  const h = new Float64Array(block + secondary.length);
  h.set(Array.from(secondary), block);
  return h;
}

/** Runs the whole plant through `proc` in blocks of `block` frames (a trailing partial block is dropped). */
export function runClosedLoop(proc: BlockProcessor, plant: Plant, block: number): LoopRun {
  const len = plant.reference.length - (plant.reference.length % block);
  const s = plant.secondary;
  const out = new Float64Array(len);
  const error = new Float32Array(len);
  for (let i = 0; i < len; i += block) {
    for (let n = i; n < i + block; n++) {
      // only blocks already played (n - block - j < i) can reach the mic
      let acc = plant.disturbance[n]!;
      for (let j = 0; j < s.length && n - block - j >= 0; j++) acc += s[j]! * out[n - block - j]!;
      error[n] = acc;
    }
    out.set(proc.process(plant.reference.subarray(i, i + block), error.subarray(i, i + block)), i);
  }
  return { out, error };
}

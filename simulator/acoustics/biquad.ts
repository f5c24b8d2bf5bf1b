// Second-order sections from the RBJ Audio EQ Cookbook: the building blocks of the transducer and
// cup responses. Coefficients are normalised (a0 = 1).

export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

export type BiquadShape =
  | { type: 'lowpass'; hz: number; q?: number }
  | { type: 'highpass'; hz: number; q?: number }
  | { type: 'bandpass'; hz: number; q?: number }
  | { type: 'peaking'; hz: number; q?: number; gainDb: number }
  /** Shelf of gainDb above hz (slope S = 1), flat 0 dB below. */
  | { type: 'highshelf'; hz: number; gainDb: number };

const BUTTERWORTH_Q = Math.SQRT1_2;

export function designBiquad(shape: BiquadShape, sampleRate: number): Biquad {
  if (!(shape.hz > 0 && shape.hz < sampleRate / 2)) {
    throw new RangeError(`biquad frequency ${shape.hz} Hz must lie between 0 and Nyquist (${sampleRate / 2} Hz)`);
  }
  const w = (2 * Math.PI * shape.hz) / sampleRate;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / (2 * (shape.type === 'highshelf' ? BUTTERWORTH_Q : (shape.q ?? BUTTERWORTH_Q)));
  let b: [number, number, number];
  let a: [number, number, number];
  switch (shape.type) {
    case 'lowpass':
      b = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2];
      a = [1 + alpha, -2 * cos, 1 - alpha];
      break;
    case 'highpass':
      b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2];
      a = [1 + alpha, -2 * cos, 1 - alpha];
      break;
    case 'bandpass': // 0 dB peak gain
      b = [alpha, 0, -alpha];
      a = [1 + alpha, -2 * cos, 1 - alpha];
      break;
    case 'peaking': {
      const g = 10 ** (shape.gainDb / 40);
      b = [1 + alpha * g, -2 * cos, 1 - alpha * g];
      a = [1 + alpha / g, -2 * cos, 1 - alpha / g];
      break;
    }
    case 'highshelf': {
      const g = 10 ** (shape.gainDb / 40);
      const r = 2 * Math.sqrt(g) * alpha;
      b = [g * (g + 1 + (g - 1) * cos + r), -2 * g * (g - 1 + (g + 1) * cos), g * (g + 1 + (g - 1) * cos - r)];
      a = [g + 1 - (g - 1) * cos + r, 2 * (g - 1 - (g + 1) * cos), g + 1 - (g - 1) * cos - r];
      break;
    }
  }
  return { b0: b[0] / a[0], b1: b[1] / a[0], b2: b[2] / a[0], a1: a[1] / a[0], a2: a[2] / a[0] };
}

/** Filters `input` through the cascade of `sections` (direct form I, state starting at zero). */
export function filterBiquads(sections: readonly Biquad[], input: Float32Array): Float32Array {
  let x = Float64Array.from(input);
  for (const c of sections) {
    const y = new Float64Array(x.length);
    let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (let i = 0; i < x.length; i++) {
      const v = c.b0 * x[i] + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
      x2 = x1;
      x1 = x[i];
      y2 = y1;
      y1 = v;
      y[i] = v;
    }
    x = y;
  }
  return Float32Array.from(x);
}

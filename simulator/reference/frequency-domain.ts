// fd-fxlms in float64 (firmware/assembly/anc/frequency-domain.ts): blocks of L = FFT size / 2
// samples of r and e_v; at each block's end the per-bin normalised gradient updates w.
import FFT from 'fft.js';

const POWER_KEEP = 0.9;
const FLOOR = 1e-4;

export class FrequencyDomainAdapter {
  readonly block: number;
  private readonly size: number;
  private readonly fft: FFT;
  private readonly r: Float64Array; // two blocks of r
  private readonly e: Float64Array; // this block's e_v
  private readonly power: Float64Array;
  private readonly u: number[];
  private readonly spectrum: number[];
  private readonly gradient: number[];
  private pos = 0;

  constructor(taps: number) {
    let size = 16;
    while (size < taps * 2) size *= 2;
    this.size = size;
    this.block = size / 2;
    this.fft = new FFT(size);
    this.r = new Float64Array(size);
    this.e = new Float64Array(this.block);
    this.power = new Float64Array(size);
    this.u = this.fft.createComplexArray();
    this.spectrum = this.fft.createComplexArray();
    this.gradient = this.fft.createComplexArray();
  }

  push(w: Float64Array, taps: number, r: number, ev: number, mu: number): void {
    this.r[this.block + this.pos] = r;
    this.e[this.pos] = ev;
    if (++this.pos < this.block) return;
    this.pos = 0;
    this.adapt(w, taps, mu);
  }

  private adapt(w: Float64Array, taps: number, mu: number): void {
    const { size, block, fft, u, spectrum, gradient, power } = this;
    fft.transform(u, fft.toComplexArray(Array.from(this.r), undefined));
    const padded = new Array<number>(size).fill(0);
    for (let i = 0; i < block; i++) padded[block + i] = this.e[i]!;
    fft.transform(spectrum, fft.toComplexArray(padded, undefined));
    let mean = 0;
    for (let k = 0; k < size; k++) {
      const p2 = u[2 * k]! ** 2 + u[2 * k + 1]! ** 2;
      power[k] = power[k] === 0 ? p2 : POWER_KEEP * power[k]! + (1 - POWER_KEEP) * p2;
      mean += power[k]!;
    }
    const floor = (FLOOR * mean) / size + 1e-30;
    for (let k = 0; k < size; k++) {
      const [ur, ui, er, ei] = [u[2 * k]!, u[2 * k + 1]!, spectrum[2 * k]!, spectrum[2 * k + 1]!];
      const inv = 1 / (power[k]! + floor);
      spectrum[2 * k] = (ur * er + ui * ei) * inv;
      spectrum[2 * k + 1] = (ur * ei - ui * er) * inv;
    }
    fft.inverseTransform(gradient, spectrum);
    const step = (mu * size) / taps;
    for (let i = 0; i < taps; i++) w[i]! -= step * gradient[2 * i]!;
    this.r.copyWithin(0, block);
  }
}

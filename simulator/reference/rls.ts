// Filtered-x RLS of firmware/assembly/dsp/rls.ts in float64: P starts as I * 100, each sample
// k = P u / (lambda + u' P u), w -= k e, P = (P - k (P u)') / lambda.

const DELTA_INV = 100;
// the firmware caps P's trace (from its guard, once per block) so narrowband input cannot wind it up
const TRACE_PER_TAP_MAX = 1e3;

export class Rls {
  private readonly p: Float64Array; // row stride n
  private readonly pu: Float64Array;
  private readonly k: Float64Array;

  constructor(
    private readonly n: number,
    private readonly lambda: number,
  ) {
    this.p = new Float64Array(n * n);
    this.pu = new Float64Array(n);
    this.k = new Float64Array(n);
    this.reset();
  }

  reset(): void {
    this.p.fill(0);
    for (let i = 0; i < this.n; i++) this.p[i * this.n + i] = DELTA_INV;
  }

  /** One update of w with the regressor u[start..start+n) and error e; false (w untouched) if unusable. */
  update(w: Float64Array, u: Float64Array, start: number, e: number): boolean {
    const { n, p, pu, k } = this;
    let den = this.lambda;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += p[i * n + j]! * u[start + j]!;
      pu[i] = acc;
      den += u[start + i]! * acc;
    }
    if (!(den > 0) || !Number.isFinite(den)) return false;
    for (let i = 0; i < n; i++) {
      k[i] = pu[i]! / den;
      w[i]! -= k[i]! * e;
    }
    const invLambda = 1 / this.lambda;
    for (let i = 0; i < n; i++) {
      const ki = k[i]!;
      for (let j = 0; j < n; j++) p[i * n + j] = (p[i * n + j]! - ki * pu[j]!) * invLambda;
    }
    return true;
  }

  /** Scales P back when its trace exceeds the firmware's cap. */
  limitWindup(): void {
    let trace = 0;
    for (let i = 0; i < this.n; i++) trace += this.p[i * this.n + i]!;
    const max = TRACE_PER_TAP_MAX * this.n;
    if (trace > max) for (let i = 0; i < this.p.length; i++) this.p[i]! *= max / trace;
  }
}

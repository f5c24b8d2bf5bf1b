// A float64 reference of the firmware's per-sample ANC processing (firmware/assembly/anc/engine.ts),
// line for line in structure, so tests can check the compiled module against plain arithmetic and
// the benchmark can time the same algorithm in plain TypeScript.
//
// It models a settled engine: parameters apply at once (the firmware ramps step size and gain), a
// change of algorithm or length starts learning afresh (the firmware fades out, switches keeping
// what still applies, and fades in), and there is no stability guard and no status powers. Parameters and S^ are rounded to float32, as the
// firmware's ABI carries them.
import { ALGORITHMS, type AlgorithmName } from '../../firmware/loader.ts';
import { algorithmTraits, type AlgorithmTraits } from './algorithm-traits.ts';
import { dot, updateDot, scale } from './kernels.ts';
import { DelayLines, MAX_TAPS } from './delay-lines.ts';
import { PeakLimiter } from './peak-limiter.ts';
import { Rls } from './rls.ts';
import { FrequencyDomainAdapter } from './frequency-domain.ts';

export const MAX_BLOCK = 256;
export const MAX_SEC_TAPS = 256;
export const MAX_RLS_TAPS = 32;
const DEFAULT_LEAKAGE = 1e-4; // leaky-nlms with leakage 0

export interface EngineParams {
  algorithm: AlgorithmName;
  taps: number;
  stepSize: number;
  leakage: number;
  intensity: number;
  limit: number;
  rlsLambda: number;
  regularization: number;
}

/** The firmware's defaults after anc_init (firmware/assembly/anc/config.ts). */
export const ENGINE_DEFAULTS: Readonly<EngineParams> = {
  algorithm: 'fxlms',
  taps: 256,
  stepSize: 0.1,
  leakage: 0,
  intensity: 1,
  limit: 0.95,
  rlsLambda: 0.9999,
  regularization: 1e-6,
};

export class ReferenceEngine {
  private params: EngineParams = asFloat32({ ...ENGINE_DEFAULTS });
  private traits: AlgorithmTraits = algorithmTraits('fxlms');
  // until a model is loaded, a pure one-sample delay (as the firmware assumes)
  private sec = Float64Array.of(0, 1);
  // plain LMS/NLMS use the reference delayed by S^'s largest tap, with its sign
  private peak = 1;
  private peakSign = 1;
  private readonly lines = new DelayLines();
  private readonly wff = new Float64Array(MAX_TAPS);
  private readonly wfb = new Float64Array(MAX_TAPS);
  private readonly outBuf = new Float64Array(MAX_BLOCK);
  private rls: Rls | undefined;
  private fd: FrequencyDomainAdapter | undefined;
  private limiter = new PeakLimiter(48000, ENGINE_DEFAULTS.limit);
  private avgCoef = 1 - Math.exp(-1000 / (25 * 48000));
  private avgR = 0;
  private avgRF = 0;
  private powR = 0;
  private powRF = 0;
  private dirtyD = 0;
  /** input samples replaced because they were not finite or beyond full scale */
  sanitized = 0;

  init(sampleRate: number): this {
    this.limiter = new PeakLimiter(sampleRate, ENGINE_DEFAULTS.limit);
    this.avgCoef = 1 - Math.exp(-1000 / (25 * sampleRate));
    this.params = asFloat32({ ...ENGINE_DEFAULTS });
    this.traits = algorithmTraits(this.params.algorithm);
    this.sec = Float64Array.of(0, 1);
    this.peak = 1;
    this.peakSign = 1;
    this.sanitized = 0;
    return this.reset();
  }

  /** Applies parameters at once and starts learning afresh. */
  configure(params: Partial<EngineParams>): this {
    const p = asFloat32({ ...this.params, ...params });
    if (!ALGORITHMS.includes(p.algorithm)) throw new RangeError(`unknown algorithm "${p.algorithm}"`);
    const maxTaps = p.algorithm === 'rls' ? MAX_RLS_TAPS : MAX_TAPS;
    if (!Number.isInteger(p.taps) || p.taps < 1 || p.taps > maxTaps) {
      throw new RangeError(`taps must be 1..${maxTaps} for ${p.algorithm}, got ${p.taps}`);
    }
    const switched = p.algorithm !== this.params.algorithm || p.taps !== this.params.taps;
    this.params = p;
    this.traits = algorithmTraits(p.algorithm);
    this.limiter.threshold = p.limit;
    return switched ? this.reset() : this;
  }

  setSecondaryPath(coefficients: ArrayLike<number>): this {
    if (coefficients.length < 2 || coefficients.length > MAX_SEC_TAPS) {
      throw new RangeError(`secondary path length must be 2..${MAX_SEC_TAPS}, got ${coefficients.length}`);
    }
    const sec = Float64Array.from(coefficients, Math.fround);
    // anti-noise computed for sample n cannot reach mic sample n: tap 0 is zero by definition
    sec[0] = 0;
    let peak = 0;
    for (let k = 1; k < sec.length; k++) if (Math.abs(sec[k]!) > Math.abs(sec[peak]!)) peak = k;
    if (peak === 0) throw new RangeError('a secondary path of zeros (after tap 0) cannot steer any algorithm');
    this.sec = sec;
    this.peak = peak;
    this.peakSign = sec[peak]! > 0 ? 1 : -1;
    // filtered references made with the old model no longer match it
    this.lines.clear();
    this.powR = 0;
    this.powRF = 0;
    this.avgR = 0;
    this.avgRF = 0;
    this.dirtyD = 0;
    if (this.fd) this.fd = new FrequencyDomainAdapter(this.params.taps);
    return this;
  }

  /** Forgets coefficients, histories and RLS state; parameters stay. */
  reset(): this {
    this.wff.fill(0);
    this.wfb.fill(0);
    this.lines.clear();
    this.powR = 0;
    this.powRF = 0;
    this.avgR = 0;
    this.avgRF = 0;
    this.dirtyD = 0;
    this.limiter.reset();
    this.rls = this.traits.rls ? new Rls(this.params.taps, this.params.rlsLambda) : undefined;
    this.fd = this.traits.frequencyDomain ? new FrequencyDomainAdapter(this.params.taps) : undefined;
    return this;
  }

  /** The controller coefficients: 'ff' feedforward, 'fb' feedback. */
  weights(which: 'ff' | 'fb' = 'ff'): Float64Array {
    return (which === 'fb' ? this.wfb : this.wff).slice(0, this.params.taps);
  }

  get limited(): number {
    return this.limiter.limited;
  }

  /** Processes one block of reference and error samples; returns the anti-noise (valid until the next call). */
  process(ref: ArrayLike<number>, err: ArrayLike<number>): Float64Array {
    const frames = ref.length;
    if (frames < 1 || frames > MAX_BLOCK || err.length !== frames) {
      throw new RangeError(`a block is 1..${MAX_BLOCK} frames of ref and err alike, got ${frames} and ${err.length}`);
    }
    const { taps: n, stepSize: mu, regularization: eps, intensity: gain } = this.params;
    const { feedforward: ff, feedback: fb, filtersReference: fx, normalises: norm } = this.traits;
    const { x: hx, r: hr, xh: hxh, rf: hrf, y: hy, d: hd } = this.lines;
    const sec = this.sec;
    const m = sec.length;
    const out = this.outBuf;

    for (let k = 0; k < frames; k++) {
      const x = this.sanitize(ref[k]!);
      const e = this.sanitize(err[k]!);
      const p = this.lines.advance();
      hx[p] = x;

      // e_v: the error had all computed anti-noise been played; S^ from tap 1, as y(n) cannot reach e(n)
      let ev = e;
      if (this.dirtyD > 0) {
        ev += dot(sec, 1, hd, p + 1, m - 1);
        this.dirtyD--;
      }
      const dh = fb || this.rls ? e - dot(sec, 1, hy, p + 1, m - 1) : 0;

      let pw = 0;
      let r = 0;
      if (ff) {
        r = fx ? dot(sec, 0, hx, p, m) : this.peakSign * hx[p + this.peak]!;
        hr[p] = r;
        const old = hr[p + n]!;
        this.powR += r * r - old * old;
        this.avgR += (r * r - this.avgR) * this.avgCoef;
        pw += Math.max(this.powR, n * this.avgR);
      }
      if (fb) {
        hxh[p] = dh;
        const rf = dot(sec, 0, hxh, p, m);
        hrf[p] = rf;
        const old = hrf[p + n]!;
        this.powRF += rf * rf - old * old;
        this.avgRF += (rf * rf - this.avgRF) * this.avgCoef;
        pw += Math.max(this.powRF, n * this.avgRF);
      }
      // NLMS's |r|^2 over the window, but no less than taps x its 25 ms average
      const g = norm ? (-mu * ev) / (eps + pw) : -mu * ev;

      let y = 0;
      if (this.rls) {
        // modified filtered-x: the error the current coefficients would give
        const em = dh + dot(this.wff, 0, hr, p, n);
        if (!this.rls.update(this.wff, hr, p, em)) this.rls.reset();
        y = dot(this.wff, 0, hx, p, n);
      } else if (this.fd) {
        y = dot(this.wff, 0, hx, p, n);
        this.fd.push(this.wff, n, r, ev, mu);
      } else if (ff) {
        y = updateDot(this.wff, hr, hx, p, n, g);
      }
      if (fb) y += updateDot(this.wfb, hrf, hxh, p, n, g);
      if (!Number.isFinite(y)) y = 0;

      const o = this.limiter.apply(y * gain);
      out[k] = o;
      hy[p] = o;
      hd[p] = y - o;
      if (y !== o) this.dirtyD = m;
    }

    this.endBlock(frames);
    return out.subarray(0, frames);
  }

  // Per-block work the firmware keeps out of the sample loop.
  private endBlock(frames: number): void {
    const { algorithm, leakage, taps } = this.params;
    if (this.rls) {
      this.rls.limitWindup();
      return;
    }
    const leak = algorithm === 'leaky-nlms' && leakage === 0 ? Math.fround(DEFAULT_LEAKAGE) : leakage;
    if (leak > 0) {
      // (1 - leak)^frames: per-sample leakage to first order, once per block
      const keep = (1 - leak) ** frames;
      if (this.traits.feedforward) scale(this.wff, taps, keep);
      if (this.traits.feedback) scale(this.wfb, taps, keep);
    }
  }

  private sanitize(v: number): number {
    if (Math.abs(v) <= 1) return v;
    this.sanitized++;
    return Number.isNaN(v) ? 0 : Math.sign(v);
  }
}

// anc_set_param carries float32
function asFloat32(p: EngineParams): EngineParams {
  for (const k of ['stepSize', 'leakage', 'intensity', 'limit', 'rlsLambda', 'regularization'] as const) {
    p[k] = Math.fround(p[k]);
  }
  return p;
}

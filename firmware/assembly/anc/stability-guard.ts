import { AncState } from "../state";
import { W_FF, W_FB, W_FF_GOOD, W_FB_GOOD } from "../memory-map";
import { usesFeedforward, usesFeedback, ALG_RLS } from "../algorithms";
import { sumSquares } from "../dsp/kernels";
import { rlsReset, rlsTrace, RLS_TRACE_MAX } from "../dsp/rls";

// Divergence shows as coefficients that grow without bound, or as an error louder than the noise
// the headset would let through with ANC off. Either way the guard restores the last stable
// coefficients (or zero, if those failed too within a second), halves the step size for a while
// and fades the output back in, so a blow-up is cut short instead of heard.

const DIVERGE_RATIO: f32 = 4; // error power above 4x (6 dB) the disturbance estimate
const DIVERGE_MS: i32 = 50;
const SNAPSHOT_MS: i32 = 100;
const SNAPSHOT_MIN_RATIO: f32 = 1.26; // keep a snapshot only while it attenuates by 1 dB or more
const BACKOFF_MIN: f32 = 1.0 / 64;
const BACKOFF_RECOVERY_S: f32 = 2;

export function guardBlock(s: AncState, frames: i32, nonFinite: bool): void {
  const n = s.taps;
  const alg = s.algorithm;
  let norm2: f32 = 0;
  if (usesFeedforward(alg)) norm2 += sumSquares(W_FF, n);
  if (usesFeedback(alg)) norm2 += sumSquares(W_FB, n);
  s.coefNorm = Mathf.sqrt(norm2);

  let diverged = nonFinite || !isFinite(norm2) || s.coefNorm > s.coefNormMax;
  if (alg == ALG_RLS && !(rlsTrace(n) < RLS_TRACE_MAX)) diverged = true;
  if (s.ePow > DIVERGE_RATIO * s.dPow && s.ePow > 1e-12) s.divergeSamples += frames;
  else s.divergeSamples = 0;
  if (s.divergeSamples > (s.sampleRate * DIVERGE_MS) / 1000) diverged = true;

  s.sinceRecovery += frames;
  if (diverged) {
    recover(s);
    return;
  }
  s.goodSamples += frames;
  if (s.goodSamples >= (s.sampleRate * SNAPSHOT_MS) / 1000 && s.dPow > SNAPSHOT_MIN_RATIO * s.ePow) {
    memory.copy(W_FF_GOOD, W_FF, <usize>n << 2);
    memory.copy(W_FB_GOOD, W_FB, <usize>n << 2);
    s.goodSamples = 0;
  }
  if (s.backoff < 1) {
    s.backoff = Mathf.min(1, s.backoff + <f32>frames / (<f32>s.sampleRate * BACKOFF_RECOVERY_S));
  }
}

export function recover(s: AncState): void {
  const bytes = <usize>s.taps << 2;
  s.recoveries++;
  if (s.sinceRecovery < s.sampleRate) {
    // the snapshot itself failed: start from silence
    memory.fill(W_FF_GOOD, 0, bytes);
    memory.fill(W_FB_GOOD, 0, bytes);
  }
  memory.copy(W_FF, W_FF_GOOD, bytes);
  memory.copy(W_FB, W_FB_GOOD, bytes);
  if (s.algorithm == ALG_RLS) rlsReset(s.taps);
  s.backoff = Mathf.max(BACKOFF_MIN, s.backoff * 0.5);
  s.stepSizeNow = s.stepSize * s.backoff;
  s.gainNow = 0;
  s.limitEnv = 0;
  s.divergeSamples = 0;
  s.sinceRecovery = 0;
  s.goodSamples = 0;
  s.ePow = s.dPow;
}

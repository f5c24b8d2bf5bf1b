import { AncState } from "../state";
import { W_FF, W_FB, W_FF_GOOD, W_FB_GOOD } from "../memory-map";
import { usesFeedforward, usesFeedback, ALG_RLS } from "../algorithms";
import { sumSquares } from "../dsp/kernels";
import { rlsReset, rlsLimitWindup } from "../dsp/rls";

// Divergence shows as coefficients that grow without bound, as an error louder than the noise
// the headset would let through with ANC off, or (when the secondary-path model is wrong, which
// also spoils that estimate) as an output held against the limiter. Either way the guard restores the last stable
// coefficients (or zero, if those failed too within a second), halves the step size for a while
// and fades the output back in, so a blow-up is cut short instead of heard. When recoveries keep
// coming (a model that is simply wrong), it mutes the anti-noise for a hold-off that doubles each
// time, so the listener hears the passive headset rather than a cycle of blow-ups.

const DIVERGE_RATIO: f32 = 4; // error power above 4x (6 dB) the disturbance estimate
const DIVERGE_MS: i32 = 50;
const SNAPSHOT_MS: i32 = 100;
const SNAPSHOT_MIN_RATIO: f32 = 1.26; // keep a snapshot only while it attenuates by 1 dB or more
const BACKOFF_MIN: f32 = 1.0 / 64;
const SATURATION_CHECK_MS: i32 = 25;
const SATURATED_CHECKS: i32 = 2; // consecutive checks
const QUICK_RECOVERIES_TO_MUTE: i32 = 3;
const MUTE_FIRST_MS: i32 = 500;
const MUTE_MAX_MS: i32 = 8000;
const SATURATED_SHARE: f32 = 0.5; // limiter engaged on half the samples of a check period
const BACKOFF_RECOVERY_S: f32 = 2;

export function guardBlock(s: AncState, frames: i32, nonFinite: bool): void {
  const n = s.taps;
  const alg = s.algorithm;
  let norm2: f32 = 0;
  if (usesFeedforward(alg)) norm2 += sumSquares(W_FF, n);
  if (usesFeedback(alg)) norm2 += sumSquares(W_FB, n);
  s.coefNorm = Mathf.sqrt(norm2);

  let diverged = nonFinite || !isFinite(norm2) || s.coefNorm > s.coefNormMax;
  if (alg == ALG_RLS && !rlsLimitWindup(n)) diverged = true;
  if (s.ePow > DIVERGE_RATIO * s.dPow && s.ePow > 1e-12) s.divergeSamples += frames;
  else s.divergeSamples = 0;
  if (s.divergeSamples > (s.sampleRate * DIVERGE_MS) / 1000) diverged = true;
  s.guardSamples += frames;
  if (s.guardSamples >= (s.sampleRate * SATURATION_CHECK_MS) / 1000) {
    if (outputSaturated(s)) diverged = true;
    s.guardSamples = 0;
  }

  s.sinceRecovery += frames;
  if (s.muteSamples > 0) {
    s.muteSamples = max(0, s.muteSamples - frames);
    if (s.muteSamples == 0) {
      // on probation: one more quick failure mutes again, for twice as long
      s.quickRecoveries = QUICK_RECOVERIES_TO_MUTE - 1;
      s.sinceRecovery = 0;
    }
    return;
  }
  if (diverged) {
    recover(s);
    return;
  }
  s.goodSamples += frames;
  if (s.goodSamples >= (s.sampleRate * SNAPSHOT_MS) / 1000 && s.dPow > SNAPSHOT_MIN_RATIO * s.ePow) {
    memory.copy(W_FF_GOOD, W_FF, <usize>n << 2);
    memory.copy(W_FB_GOOD, W_FB, <usize>n << 2);
    s.goodSamples = 0;
    s.muteHoldoff = (s.sampleRate * MUTE_FIRST_MS) / 1000;
  }
  if (s.backoff < 1) {
    s.backoff = Mathf.min(1, s.backoff + <f32>frames / (<f32>s.sampleRate * BACKOFF_RECOVERY_S));
  }
}

function outputSaturated(s: AncState): bool {
  const limited = s.limited - s.limitedAtCheck;
  s.limitedAtCheck = s.limited;
  if (<f32>limited > SATURATED_SHARE * <f32>s.guardSamples) s.saturatedChecks++;
  else s.saturatedChecks = 0;
  return s.saturatedChecks >= SATURATED_CHECKS;
}

export function recover(s: AncState): void {
  const bytes = <usize>s.taps << 2;
  s.recoveries++;
  if (s.sinceRecovery < s.sampleRate) {
    // the snapshot itself failed: start from silence
    memory.fill(W_FF_GOOD, 0, bytes);
    memory.fill(W_FB_GOOD, 0, bytes);
    s.quickRecoveries++;
  } else {
    s.quickRecoveries = 1;
  }
  if (s.quickRecoveries >= QUICK_RECOVERIES_TO_MUTE) {
    s.quickRecoveries = 0;
    if (s.muteHoldoff == 0) s.muteHoldoff = (s.sampleRate * MUTE_FIRST_MS) / 1000;
    s.muteSamples = s.muteHoldoff;
    s.muteHoldoff = min(s.muteHoldoff * 2, (s.sampleRate * MUTE_MAX_MS) / 1000);
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
  s.saturatedChecks = 0;
}

// A new secondary-path model or a reset is the host's remedy for a fault: start trusting again.
export function clearFault(s: AncState): void {
  s.muteSamples = 0;
  s.muteHoldoff = 0;
  s.quickRecoveries = 0;
  s.backoff = 1;
  s.divergeSamples = 0;
  s.saturatedChecks = 0;
  s.sinceRecovery = s.sampleRate;
}

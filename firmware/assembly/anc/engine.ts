import { state } from "../state";
import {
  IO_REF, IO_ERR, IO_OUT, SEC_PATH, W_FF, W_FB,
  HIST_X, HIST_R, HIST_XH, HIST_RF, HIST_Y, HIST_D,
} from "../memory-map";
import {
  ALG_RLS, ALG_FD_FXLMS, ALG_LEAKY_NLMS, DEFAULT_LEAKAGE,
  usesFeedforward, usesFeedback, filtersReference, normalises,
} from "../algorithms";
import { dot, updateDot, scale } from "../dsp/kernels";
import { advance } from "../dsp/history";
import { limit } from "../dsp/limiter";
import { rlsUpdate, rlsReset } from "../dsp/rls";
import { guardBlock } from "./stability-guard";
import { fdPush } from "./frequency-domain";
import { applyPendingSwitch, switchPending } from "./config";
import { writeStatus } from "./status";
import { emergency } from "../emergency/detector-state";

// Microphone samples are full-scale floats; anything else (NaN, Inf, beyond +-1) is replaced
// before it can reach a filter, and counted.
const FULL_SCALE: f32 = 1;

const RAMP_SNAP: f32 = 1e-6;
const STEP_SNAP: f32 = 1e-9;

function sanitize(v: f32): f32 {
  return isNaN(v) ? 0 : copysign<f32>(FULL_SCALE, v);
}

// Process `frames` frames from IO_REF and IO_ERR into IO_OUT. Per sample n:
//   e_v  = e + S^ * (y - y_played)             error had all computed anti-noise been played
//   d^   = e - S^ * y_played                    disturbance estimate (feedback reference, status)
//   r    = S^ * x (or x for LMS/NLMS)           filtered reference
//   w   += -mu e_v r / (eps + |r|^2)            (or RLS), fused with y = w . x
//   out  = limit(y * gain * fade)
export function processBlock(frames: i32): void {
  const s = state();
  const alg = s.algorithm;
  const n = s.taps;
  const m = s.secTaps;
  const ff = usesFeedforward(alg);
  const fb = usesFeedback(alg);
  const fx = filtersReference(alg);
  const norm = normalises(alg);
  const rls = alg == ALG_RLS;
  const fd = alg == ALG_FD_FXLMS;
  const rc = s.rampCoef;
  const fadeStep = s.fadeStep;
  const pc = s.powCoef;
  const eps = s.regularization;
  const lambda = s.rlsLambda;
  const muted = s.muteSamples > 0;
  const gainTarget: f32 = s.bypass || muted ? 0 : s.intensity;
  const fadeTarget: f32 = switchPending(s) ? 0 : 1;
  const muTarget: f32 = muted ? 0 : s.stepSize * s.backoff;
  // the emergency detector overrides everything: a linear fade to 0 over 20 ms, back over ramp_ms
  const emergencyOn = emergency().active != 0;
  const emergencyStep = s.emergencyFadeStep;
  const ac = s.avgCoef;
  const fn = <f32>n;
  const nBytes = <usize>n << 2;
  // S^ products skip its leading zeros (S^[0] is always one of them: y(n) cannot reach e(n))
  const lead = <usize>s.secLead << 2;
  const sl = SEC_PATH + lead;
  const ml = m - s.secLead;
  const peak = <usize>s.secPeak << 2;
  const peakSign = s.secPeakSign;

  let pos = s.pos;
  let gainNow = s.gainNow;
  let fadeNow = s.fadeNow;
  let emergencyGain = s.emergencyGain;
  // a fault mute stops adaptation at once, so nothing is learnt from the silence it makes
  let mu: f32 = muted ? 0 : s.stepSizeNow;
  let powR = s.powR;
  let powRF = s.powRF;
  let avgR = s.avgR;
  let avgRF = s.avgRF;
  let ePow = s.ePow;
  let dPow = s.dPow;
  let dirtyD = s.dirtyD;
  let decim = s.decim;
  let nonFinite = false;

  for (let k = 0; k < frames; k++) {
    const io = <usize>k << 2;
    let x = load<f32>(IO_REF + io);
    let e = load<f32>(IO_ERR + io);
    if (!(Mathf.abs(x) <= FULL_SCALE)) {
      x = sanitize(x);
      s.sanitized++;
    }
    if (!(Mathf.abs(e) <= FULL_SCALE)) {
      e = sanitize(e);
      s.sanitized++;
    }
    gainNow += (gainTarget - gainNow) * rc;
    // land exactly on the target: one-pole ramps approach it through subnormals, which are slow
    if (Mathf.abs(gainNow - gainTarget) < RAMP_SNAP) gainNow = gainTarget;
    // linear, so a switch waits exactly one ramp time
    fadeNow = fadeTarget > fadeNow ? Mathf.min(fadeTarget, fadeNow + fadeStep) : Mathf.max(fadeTarget, fadeNow - fadeStep);
    if (emergencyOn) emergencyGain = Mathf.max(0, emergencyGain - emergencyStep);
    else if (emergencyGain < 1) {
      emergencyGain += (1 - emergencyGain) * rc;
      if (1 - emergencyGain < RAMP_SNAP) emergencyGain = 1;
    }
    mu += (muTarget - mu) * rc;
    if (Mathf.abs(mu - muTarget) < STEP_SNAP) mu = muTarget;

    pos = advance(pos);
    const p = <usize>pos << 2;
    store<f32>(HIST_X + p, x);

    let ev = e;
    if (dirtyD > 0) {
      ev += dot(sl, HIST_D + p + lead, ml);
      dirtyD--;
    }
    const statusTick = (decim & 3) == 0;
    decim++;
    let dh: f32 = 0;
    if (fb || rls || statusTick) dh = e - dot(sl, HIST_Y + p + lead, ml);
    if (statusTick) {
      ePow += (e * e - ePow) * pc;
      dPow += (dh * dh - dPow) * pc;
    }

    let pw: f32 = 0;
    let r: f32 = 0;
    if (ff) {
      // plain LMS/NLMS pair the error with the reference as old as S^'s main delay: the one-tap
      // secondary-path model without which they could not learn behind any delay
      r = fx ? dot(sl, HIST_X + p + lead, ml) : peakSign * load<f32>(HIST_X + p + peak);
      store<f32>(HIST_R + p, r);
      const old = load<f32>(HIST_R + p + nBytes);
      powR += r * r - old * old;
      avgR += (r * r - avgR) * ac;
      pw += Mathf.max(powR, fn * avgR);
    }
    if (fb) {
      store<f32>(HIST_XH + p, dh);
      const rf = dot(sl, HIST_XH + p + lead, ml);
      store<f32>(HIST_RF + p, rf);
      const old = load<f32>(HIST_RF + p + nBytes);
      powRF += rf * rf - old * old;
      avgRF += (rf * rf - avgRF) * ac;
      pw += Mathf.max(powRF, fn * avgRF);
    }
    // NLMS divides by |r|^2 over the filter window, but no less than taps x its 25 ms average:
    // the window sum alone nearly vanishes twice a cycle on tones longer than the filter
    const g: f32 = norm ? (-mu * ev) / (eps + pw) : -mu * ev;

    let y: f32 = 0;
    if (rls) {
      // Modified filtered-x: the error the current coefficients would give, d^ + w . r, so RLS's
      // fast steps are not fed errors from coefficients the loop delay has made stale.
      const em = dh + dot(W_FF, HIST_R + p, n);
      // float32 P can lose positive definiteness; starting P afresh is RLS's own remedy
      if (!rlsUpdate(W_FF, HIST_R + p, n, em, lambda)) rlsReset(n);
      y = dot(W_FF, HIST_X + p, n);
    } else if (fd) {
      y = dot(W_FF, HIST_X + p, n);
      fdPush(s, r, ev, n, mu);
    } else if (ff) {
      y = updateDot(W_FF, HIST_R + p, HIST_X + p, n, g);
    }
    if (fb) y += updateDot(W_FB, HIST_RF + p, HIST_XH + p, n, g);
    if (!isFinite(y)) {
      y = 0;
      nonFinite = true;
    }

    // emergencyGain is exactly 1 unless an emergency is (or was just) detected: the product is unchanged
    const out = limit(s, y * gainNow * fadeNow * emergencyGain);
    store<f32>(IO_OUT + io, out);
    store<f32>(HIST_Y + p, out);
    const unplayed = y - out;
    store<f32>(HIST_D + p, unplayed);
    if (unplayed != 0) dirtyD = m;
  }

  s.pos = pos;
  s.gainNow = gainNow;
  s.fadeNow = fadeNow;
  s.emergencyGain = emergencyGain;
  s.stepSizeNow = mu;
  s.powR = powR;
  s.powRF = powRF;
  s.avgR = avgR;
  s.avgRF = avgRF;
  s.ePow = ePow;
  s.dPow = dPow;
  s.dirtyD = dirtyD;
  s.decim = decim;
  const before = s.samplesLo;
  s.samplesLo += <u32>frames;
  if (s.samplesLo < before) s.samplesHi++;

  // Leakage is applied once per block: (1 - leak)^frames equals per-sample leakage to first order
  // and keeps the multiply out of the per-tap loop.
  let leak = s.leakage;
  if (alg == ALG_LEAKY_NLMS && leak == 0) leak = DEFAULT_LEAKAGE;
  if (leak > 0 && !rls) {
    const keep = Mathf.pow(1 - leak, <f32>frames);
    if (ff) scale(W_FF, n, keep);
    if (fb) scale(W_FB, n, keep);
  }

  guardBlock(s, frames, nonFinite);
  if (fadeTarget == 0 && s.fadeNow == 0) applyPendingSwitch(s);
  writeStatus(s);
}

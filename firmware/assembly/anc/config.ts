import { AncState, state } from "../state";
import {
  MAX_TAPS, MAX_SEC_TAPS, MAX_RLS_TAPS, SEC_PATH, SEC_PATH_STAGE, W_FF, W_FB, W_FF_GOOD, HIST_R, HIST_RF,
  STATE,
  ANC_END,
} from "../memory-map";
import { ALG_FXLMS, ALG_RLS, ALG_FD_FXLMS, ALG_COUNT, usesFeedforward, usesFeedback } from "../algorithms";
import {
  ANC_OK, ANC_ERR_NOT_INITIALIZED, ANC_ERR_BAD_PARAM, ANC_ERR_BAD_VALUE, ANC_ERR_RLS_TAPS,
  ANC_ERR_BAD_LENGTH, ANC_ERR_BAD_SAMPLE_RATE,
} from "../errors";
import {
  PARAM_ALGORITHM, PARAM_TAPS, PARAM_STEP_SIZE, PARAM_LEAKAGE, PARAM_INTENSITY, PARAM_BYPASS,
  PARAM_RAMP_MS, PARAM_LIMIT, PARAM_RLS_LAMBDA, PARAM_COEF_NORM_MAX, PARAM_REGULARIZATION,
  PARAM_SEC_TAPS, PARAM_SAMPLE_RATE, PARAM_EMERGENCY_ENABLE, PARAM_EMERGENCY_SENSITIVITY, PARAM_EMERGENCY_HOLD_MS,
} from "../params";
import { emergencyInit, emergencyConfigure, emergencyFadeStep } from "../emergency/detector";
import { emergency } from "../emergency/detector-state";
import { allFinite, sumSquares, zero } from "../dsp/kernels";
import { clearHistory, HIST_START } from "../dsp/history";
import { rlsReset } from "../dsp/rls";
import { clearFault } from "./stability-guard";
import { fdConfigure, fdClear } from "./frequency-domain";
import { fftInit } from "../dsp/fft";

// Defaults of the shipped configuration (docs/firmware-abi.md, "Parameters").
const DEFAULT_TAPS: i32 = 256;
const DEFAULT_STEP: f32 = 0.1;
const DEFAULT_RAMP_MS: f32 = 5;
const DEFAULT_LIMIT: f32 = 0.95;
const DEFAULT_LAMBDA: f32 = 0.9999; // a memory of 10^4 samples, about 200 ms at 48 kHz
const DEFAULT_COEF_NORM_MAX: f32 = 100;
const DEFAULT_REGULARIZATION: f32 = 1e-6;
const POWER_TIME_MS: f32 = 20; // smoothing of the error and disturbance power estimates
const LIMIT_RELEASE_MS: f32 = 50;
const NLMS_POWER_MS: f32 = 25; // covers a period of the lowest frequencies ANC works on

export function init(sampleRate: i32): i32 {
  if (sampleRate < 8000 || sampleRate > 192000) return ANC_ERR_BAD_SAMPLE_RATE;
  // state, status, I/O buffers, filters and delay lines all start at zero
  memory.fill(STATE, 0, ANC_END - STATE);
  const s = state();
  s.sampleRate = sampleRate;
  s.algorithm = ALG_FXLMS;
  s.pendingAlgorithm = ALG_FXLMS;
  s.taps = DEFAULT_TAPS;
  s.pendingTaps = DEFAULT_TAPS;
  s.stepSize = DEFAULT_STEP;
  s.stepSizeNow = DEFAULT_STEP;
  s.backoff = 1;
  s.intensity = 1;
  s.gainNow = 1;
  s.fadeNow = 1;
  s.limit = DEFAULT_LIMIT;
  s.rlsLambda = DEFAULT_LAMBDA;
  s.coefNormMax = DEFAULT_COEF_NORM_MAX;
  s.regularization = DEFAULT_REGULARIZATION;
  s.pos = HIST_START;
  fftInit();
  fdConfigure(s, DEFAULT_TAPS);
  setRamp(s, DEFAULT_RAMP_MS);
  s.powCoef = onePole(sampleRate / 4, POWER_TIME_MS);
  s.avgCoef = onePole(sampleRate, NLMS_POWER_MS);
  s.limitRelease = 1 - onePole(sampleRate, LIMIT_RELEASE_MS);
  // until the host loads a measured model, assume a pure one-sample delay
  store<f32>(SEC_PATH + 4, 1);
  s.secTaps = 2;
  s.secLead = 1;
  s.secPeak = 1;
  s.secPeakSign = 1;
  s.emergencyGain = 1;
  s.emergencyFadeStep = emergencyFadeStep(sampleRate);
  emergencyInit(sampleRate);
  s.initialized = 1;
  return ANC_OK;
}

// coefficient of a one-pole smoother with time constant `ms` at `rate` updates per second
function onePole(rate: i32, ms: f32): f32 {
  return 1 - Mathf.exp(-1000 / (ms * <f32>rate));
}

function setRamp(s: AncState, ms: f32): void {
  s.rampMs = ms;
  s.rampCoef = onePole(s.sampleRate, ms);
  s.fadeStep = 1000 / (ms * <f32>s.sampleRate);
}

function isInt(v: f32): bool {
  return v == Mathf.floor(v);
}

function inRange(v: f32, lo: f32, hi: f32): bool {
  return v >= lo && v <= hi; // false for NaN
}

export function setParam(id: i32, v: f32): i32 {
  const s = state();
  if (!s.initialized) return ANC_ERR_NOT_INITIALIZED;
  switch (id) {
    case PARAM_ALGORITHM: {
      if (!inRange(v, 0, <f32>(ALG_COUNT - 1)) || !isInt(v)) return ANC_ERR_BAD_VALUE;
      if (<i32>v == ALG_RLS && s.pendingTaps > MAX_RLS_TAPS) return ANC_ERR_RLS_TAPS;
      s.pendingAlgorithm = <i32>v;
      break;
    }
    case PARAM_TAPS: {
      if (!inRange(v, 1, <f32>MAX_TAPS) || !isInt(v)) return ANC_ERR_BAD_VALUE;
      if (s.pendingAlgorithm == ALG_RLS && <i32>v > MAX_RLS_TAPS) return ANC_ERR_RLS_TAPS;
      s.pendingTaps = <i32>v;
      break;
    }
    case PARAM_STEP_SIZE: {
      if (!inRange(v, 0, 2)) return ANC_ERR_BAD_VALUE;
      s.stepSize = v;
      break;
    }
    case PARAM_LEAKAGE: {
      if (!inRange(v, 0, 0.001)) return ANC_ERR_BAD_VALUE;
      s.leakage = v;
      break;
    }
    case PARAM_INTENSITY: {
      if (!inRange(v, 0, 1)) return ANC_ERR_BAD_VALUE;
      s.intensity = v;
      break;
    }
    case PARAM_BYPASS: {
      if (v != 0 && v != 1) return ANC_ERR_BAD_VALUE;
      s.bypass = <i32>v;
      break;
    }
    case PARAM_RAMP_MS: {
      if (!inRange(v, 0.1, 1000)) return ANC_ERR_BAD_VALUE;
      setRamp(s, v);
      break;
    }
    case PARAM_LIMIT: {
      if (!inRange(v, 0.01, 1)) return ANC_ERR_BAD_VALUE;
      s.limit = v;
      break;
    }
    case PARAM_RLS_LAMBDA: {
      if (!inRange(v, 0.9, 1)) return ANC_ERR_BAD_VALUE;
      s.rlsLambda = v;
      break;
    }
    case PARAM_COEF_NORM_MAX: {
      if (!inRange(v, 1e-3, 1e6)) return ANC_ERR_BAD_VALUE;
      s.coefNormMax = v;
      break;
    }
    case PARAM_REGULARIZATION: {
      if (!inRange(v, 1e-12, 1)) return ANC_ERR_BAD_VALUE;
      s.regularization = v;
      break;
    }
    case PARAM_EMERGENCY_ENABLE: {
      if (v != 0 && v != 1) return ANC_ERR_BAD_VALUE;
      emergency().enabled = <i32>v;
      break;
    }
    case PARAM_EMERGENCY_SENSITIVITY: {
      if (!inRange(v, 0, 1)) return ANC_ERR_BAD_VALUE;
      emergency().sensitivity = v;
      emergencyConfigure(emergency());
      break;
    }
    case PARAM_EMERGENCY_HOLD_MS: {
      if (!inRange(v, 100, 60000)) return ANC_ERR_BAD_VALUE;
      emergency().holdMs = v;
      emergencyConfigure(emergency());
      break;
    }
    default:
      return id == PARAM_SEC_TAPS || id == PARAM_SAMPLE_RATE ? ANC_ERR_BAD_VALUE : ANC_ERR_BAD_PARAM;
  }
  return ANC_OK;
}

// NaN for an unknown id (the caller cannot mistake it for a value)
export function getParam(id: i32): f32 {
  const s = state();
  switch (id) {
    case PARAM_ALGORITHM: return <f32>s.pendingAlgorithm;
    case PARAM_TAPS: return <f32>s.pendingTaps;
    case PARAM_STEP_SIZE: return s.stepSize;
    case PARAM_LEAKAGE: return s.leakage;
    case PARAM_INTENSITY: return s.intensity;
    case PARAM_BYPASS: return <f32>s.bypass;
    case PARAM_RAMP_MS: return s.rampMs;
    case PARAM_LIMIT: return s.limit;
    case PARAM_RLS_LAMBDA: return s.rlsLambda;
    case PARAM_COEF_NORM_MAX: return s.coefNormMax;
    case PARAM_REGULARIZATION: return s.regularization;
    case PARAM_SEC_TAPS: return <f32>s.secTaps;
    case PARAM_SAMPLE_RATE: return <f32>s.sampleRate;
    case PARAM_EMERGENCY_ENABLE: return <f32>emergency().enabled;
    case PARAM_EMERGENCY_SENSITIVITY: return emergency().sensitivity;
    case PARAM_EMERGENCY_HOLD_MS: return emergency().holdMs;
  }
  return NaN;
}

export function switchPending(s: AncState): bool {
  return s.pendingAlgorithm != s.algorithm || s.pendingTaps != s.taps;
}

// Called once the output has faded out: the new algorithm or length starts from the old
// coefficients where they still mean the same thing, and fades back in.
export function applyPendingSwitch(s: AncState): void {
  const oldTaps = s.taps;
  const newTaps = s.pendingTaps;
  if (newTaps < oldTaps) {
    zero(W_FF + (<usize>newTaps << 2), oldTaps - newTaps);
    zero(W_FB + (<usize>newTaps << 2), oldTaps - newTaps);
  }
  const wasFeedback = usesFeedback(s.algorithm);
  s.algorithm = s.pendingAlgorithm;
  s.taps = newTaps;
  if (!usesFeedback(s.algorithm) || !wasFeedback) zero(W_FB, MAX_TAPS);
  if (!usesFeedforward(s.algorithm)) zero(W_FF, MAX_TAPS);
  memory.copy(W_FF_GOOD, W_FF, <usize>MAX_TAPS << 3); // both snapshots, which are adjacent
  if (s.algorithm == ALG_RLS) rlsReset(newTaps);
  if (s.algorithm == ALG_FD_FXLMS) fdConfigure(s, newTaps);
  // the window sums change meaning with the window length (and drift by rounding)
  s.powR = sumSquares(HIST_R + (<usize>s.pos << 2), newTaps);
  s.powRF = sumSquares(HIST_RF + (<usize>s.pos << 2), newTaps);
}

export function setSecondaryPath(len: i32): i32 {
  const s = state();
  if (!s.initialized) return ANC_ERR_NOT_INITIALIZED;
  if (len < 2 || len > MAX_SEC_TAPS) return ANC_ERR_BAD_LENGTH;
  if (!allFinite(SEC_PATH_STAGE, len)) return ANC_ERR_BAD_VALUE;
  // tap 0 is ignored (below); a model with nothing after it cannot steer any algorithm
  let peak = 0;
  let lead = 0;
  let peakAbs: f32 = 0;
  for (let k = 1; k < len; k++) {
    const a = Mathf.abs(load<f32>(SEC_PATH_STAGE + (<usize>k << 2)));
    if (a > 0 && lead == 0) lead = k;
    if (a > peakAbs) {
      peakAbs = a;
      peak = k;
    }
  }
  if (lead == 0) return ANC_ERR_BAD_VALUE;
  zero(SEC_PATH, MAX_SEC_TAPS);
  memory.copy(SEC_PATH, SEC_PATH_STAGE, <usize>len << 2);
  // anti-noise computed for sample n cannot reach the mic sample n: tap 0 is zero by definition
  store<f32>(SEC_PATH, 0);
  s.secTaps = len;
  s.secLead = lead;
  s.secPeak = peak;
  s.secPeakSign = load<f32>(SEC_PATH + (<usize>peak << 2)) > 0 ? 1 : -1;
  // filtered references made with the old model no longer match it
  forgetSignals(s);
  return ANC_OK;
}

// Clears the delay lines and everything estimated from them, and the guard's fault state (a new
// model or a reset is the host's remedy for a fault). Coefficients stay.
function forgetSignals(s: AncState): void {
  clearHistory();
  s.pos = HIST_START;
  s.powR = 0;
  s.powRF = 0;
  s.avgR = 0;
  s.avgRF = 0;
  s.dirtyD = 0;
  clearFault(s);
  fdClear(s);
}

// Forget everything learnt (coefficients, histories, guard state); parameters stay.
export function reset(): i32 {
  const s = state();
  if (!s.initialized) return ANC_ERR_NOT_INITIALIZED;
  zero(W_FF, MAX_TAPS * 4); // both filters and both snapshots, which are adjacent
  forgetSignals(s);
  s.ePow = 0;
  s.dPow = 0;
  s.coefNorm = 0;
  s.limitEnv = 0;
  if (s.algorithm == ALG_RLS) rlsReset(s.taps);
  return ANC_OK;
}


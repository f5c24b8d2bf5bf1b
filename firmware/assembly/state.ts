import { STATE, STATUS } from "./memory-map";

// Engine state. It lives at a fixed address in linear memory, never in module globals.
@unmanaged
export class AncState {
  initialized: i32;
  sampleRate: i32;
  algorithm: i32;
  taps: i32;
  secTaps: i32;
  secLead: i32; // S^'s leading zero taps (at least 1): the dot products start there
  secPeak: i32; // index of S^'s largest tap: the delay plain LMS/NLMS compensate
  secPeakSign: f32; // and its sign
  pendingAlgorithm: i32;
  pendingTaps: i32;
  bypass: i32;
  pos: i32; // newest sample's index in every delay line
  fdBlock: i32; // fd-fxlms block length L (FFT size 2L)
  fdPos: i32; // samples gathered in the current fd-fxlms block
  dirtyD: i32; // samples for which HIST_D may still hold unplayed anti-noise
  decim: i32; // counter for the decimated power estimates
  divergeSamples: i32; // how long the error has been louder than the disturbance
  goodSamples: i32; // samples since the last stable snapshot
  sinceRecovery: i32; // samples since the last recovery
  recoveries: i32;
  sanitized: i32;
  limited: i32;
  samplesLo: u32;
  samplesHi: u32;
  stepSize: f32; // target step size
  stepSizeNow: f32; // ramped step size
  backoff: f32; // step-size multiplier after a recovery, climbs back to 1
  leakage: f32;
  intensity: f32;
  gainNow: f32; // ramped intensity * (1 - bypass)
  fadeNow: f32; // ramped fade used for algorithm and length switches
  rampMs: f32;
  rampCoef: f32; // one-pole smoothing coefficient of the gain and step-size ramps
  fadeStep: f32; // per-sample step of the linear fade around algorithm and length switches
  limit: f32;
  limitEnv: f32;
  limitRelease: f32;
  rlsLambda: f32;
  coefNormMax: f32;
  regularization: f32;
  powR: f32; // sum of r^2 over the feedforward window
  powRF: f32; // sum of rf^2 over the feedback window
  avgR: f32; // 25 ms average of r^2
  avgRF: f32; // 25 ms average of rf^2
  avgCoef: f32; // smoothing coefficient of avgR and avgRF
  ePow: f32; // smoothed error power
  dPow: f32; // smoothed estimated disturbance power (ANC off)
  guardSamples: i32; // samples since the last saturation check
  saturatedChecks: i32; // consecutive checks that saw the limiter held on
  limitedAtCheck: i32; // limiter count at the last check
  quickRecoveries: i32; // recoveries less than a second apart, in a row
  muteSamples: i32; // remaining samples of a fault mute (output and adaptation held at zero)
  muteHoldoff: i32; // length of the next fault mute
  coefNorm: f32;
  powCoef: f32; // smoothing coefficient of the decimated power estimates
  emergencyGain: f32; // 1, or fading to 0 (transparency) while the emergency detector reports one
  emergencyFadeStep: f32; // per-sample step of that fade-out (20 ms); it comes back over ramp_ms
}

export function state(): AncState {
  return changetype<AncState>(STATE);
}

// Status struct offsets (bytes from STATUS), the host's view; docs/firmware-abi.md lists them.
export const ST_ABI_VERSION: usize = 0;
export const ST_FLAGS: usize = 4;
export const ST_ALGORITHM: usize = 8;
export const ST_TAPS: usize = 12;
export const ST_STEP_SIZE: usize = 16;
export const ST_LEAKAGE: usize = 20;
export const ST_INTENSITY: usize = 24;
export const ST_GAIN: usize = 28;
export const ST_ATTENUATION_DB: usize = 32;
export const ST_ERROR_POWER: usize = 36;
export const ST_DISTURBANCE_POWER: usize = 40;
export const ST_COEF_NORM: usize = 44;
export const ST_RECOVERIES: usize = 48;
export const ST_SANITIZED: usize = 52;
export const ST_LIMITED: usize = 56;
export const ST_SAMPLES_LO: usize = 60;
export const ST_SAMPLES_HI: usize = 64;
export const ST_SEC_TAPS: usize = 68;
export const ST_SAMPLE_RATE: usize = 72;
// 96 .. 127: classifier (ABI 1.1) and emergency detector
export const ST_NOISE_CLASS: usize = 96;
export const ST_CONFIDENCE: usize = 100;
export const ST_MODEL_VERSION: usize = 104;
export const ST_FEATURE_FRAMES: usize = 108;
export const ST_EMERGENCY_STATE: usize = 112;
export const ST_EMERGENCY_EVENTS: usize = 116;
export const ST_MODEL_ERROR: usize = 120;
// 124 .. 127: reserved

export const FLAG_INITIALIZED: u32 = 1;
export const FLAG_BYPASS: u32 = 2;
export const FLAG_SWITCHING: u32 = 4;
export const FLAG_BACKOFF: u32 = 8;
export const FLAG_LIMITING: u32 = 16;
export const FLAG_MUTED: u32 = 32;

export function statusF32(offset: usize, v: f32): void {
  store<f32>(STATUS + offset, v);
}
export function statusI32(offset: usize, v: i32): void {
  store<i32>(STATUS + offset, v);
}

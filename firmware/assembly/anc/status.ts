import { AncState, statusF32, statusI32, ST_ABI_VERSION, ST_FLAGS, ST_ALGORITHM, ST_TAPS, ST_STEP_SIZE,
  ST_LEAKAGE, ST_INTENSITY, ST_GAIN, ST_ATTENUATION_DB, ST_ERROR_POWER, ST_DISTURBANCE_POWER,
  ST_COEF_NORM, ST_RECOVERIES, ST_SANITIZED, ST_LIMITED, ST_SAMPLES_LO, ST_SAMPLES_HI, ST_SEC_TAPS,
  ST_SAMPLE_RATE, FLAG_INITIALIZED, FLAG_BYPASS, FLAG_SWITCHING, FLAG_BACKOFF, FLAG_LIMITING, FLAG_MUTED } from "../state";
import { ABI_VERSION } from "../version";
import { switchPending } from "./config";

const POWER_FLOOR: f32 = 1e-20;

export function writeStatus(s: AncState): void {
  let flags: u32 = s.initialized ? FLAG_INITIALIZED : 0;
  if (s.bypass) flags |= FLAG_BYPASS;
  if (switchPending(s)) flags |= FLAG_SWITCHING;
  if (s.backoff < 1) flags |= FLAG_BACKOFF;
  if (s.limitEnv > s.limit) flags |= FLAG_LIMITING;
  if (s.muteSamples > 0) flags |= FLAG_MUTED;
  statusI32(ST_ABI_VERSION, ABI_VERSION);
  statusI32(ST_FLAGS, <i32>flags);
  statusI32(ST_ALGORITHM, s.algorithm);
  statusI32(ST_TAPS, s.taps);
  statusF32(ST_STEP_SIZE, s.stepSizeNow);
  statusF32(ST_LEAKAGE, s.leakage);
  statusF32(ST_INTENSITY, s.intensity);
  statusF32(ST_GAIN, s.gainNow * s.fadeNow * s.emergencyGain);
  const e = Mathf.max(s.ePow, POWER_FLOOR);
  const d = Mathf.max(s.dPow, POWER_FLOOR);
  statusF32(ST_ATTENUATION_DB, 10 * Mathf.log10(d / e));
  statusF32(ST_ERROR_POWER, s.ePow);
  statusF32(ST_DISTURBANCE_POWER, s.dPow);
  statusF32(ST_COEF_NORM, s.coefNorm);
  statusI32(ST_RECOVERIES, s.recoveries);
  statusI32(ST_SANITIZED, s.sanitized);
  statusI32(ST_LIMITED, s.limited);
  statusI32(ST_SAMPLES_LO, <i32>s.samplesLo);
  statusI32(ST_SAMPLES_HI, <i32>s.samplesHi);
  statusI32(ST_SEC_TAPS, s.secTaps);
  statusI32(ST_SAMPLE_RATE, s.sampleRate);
}

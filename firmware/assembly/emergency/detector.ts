import { HIST_X, FE_FFT, TWIDDLE, FFT_MAX, EMG_STATE, EMG_FLOOR, EMG_MAX_BINS } from "../memory-map";
import { state, statusI32, ST_EMERGENCY_STATE, ST_EMERGENCY_EVENTS } from "../state";
import { realFft, powerAt } from "../features/real-fft";
import { EmergencyState, emergency } from "./detector-state";

// The emergency detector (docs/firmware-abi.md, "Emergency detector"). Every 8 ms it takes the
// newest 8-16 ms of the reference (outside) mic from the ANC's own delay line HIST_X, windows it
// (Hann, from the FFT twiddle table: no table of its own), runs one packed real FFT in the
// classifier's idle FFT area, and looks at 250 Hz .. 4.2 kHz for a narrowband peak that is
//   - new:      well above that bin's slowly tracked floor (the background's own tones, hums and
//               whines are in the floor),
//   - sharp:    above its neighbours 3 bins away (a tone, not a noise band),
//   - dominant: a fair share of the band's power,
// while the rest of the band did not jump with it (a change of environment raises everything).
// Enough such frames in a row (a leaky count) start an emergency of the kind the peaks voted for;
// it ends after `emergency_hold_ms` without one. A short FFT on a fixed 8 ms hop, rather than a
// bank of Goertzel filters, because the sirens sweep: one FFT gives every bin of the band for
// about fftSize/4 log2(fftSize/2) butterflies per frame (~1.2k at 48 kHz, under 4 per sample), a
// Goertzel per bin would cost ~40 multiply-adds per sample for the same 40 bins.

export const EMERGENCY_NONE: i32 = 0;
export const EMERGENCY_SIREN: i32 = 1;
export const EMERGENCY_ALARM: i32 = 2; // smoke alarm or bell
export const EMERGENCY_HORN: i32 = 3;

const HOP_MS: f32 = 8;
const BAND_LO_HZ: f32 = 250;
const BAND_HI_HZ: f32 = 4200;
// The floor is a median tracker: each frame it moves by a fixed ratio (3 dB/s) towards the bin's
// power, so it settles on the median of the background (stable on noise, unmoved by a few loud
// frames) and a new tone needs seconds, not the detector's 64 ms, to become background.
const FLOOR_STEP: f32 = 1.0056;
const FLOOR_MIN: f32 = 1e-14;
const SHARPNESS: f32 = 4; // a peak's power over its neighbours' 3 bins away
const TRIGGER_FRAMES: i32 = 8; // leaky count that starts an emergency (>= 64 ms of evidence)
const SCORE_MAX: i32 = 16;
const RESIDUAL_JUMP: f32 = 4; // the band outside the peaks may rise at most this much (power) over its floor
const MAX_PEAKS: i32 = 16;
const EMERGENCY_FADE_MS: f32 = 20; // anti-noise fade-out on detection, whatever ramp_ms is

// scratch in FE_FFT, after the packed spectrum (at most 256 complex values = 2 KiB)
const POW: usize = FE_FFT + 2048; // f32[257] power per bin
const PEAKS: usize = FE_FFT + 3200; // i32[MAX_PEAKS] bins of the frame's qualifying peaks
const PREV_PEAKS: usize = EMG_STATE + 128; // i32[MAX_PEAKS] the previous frame's, kept in the state

export const DEFAULT_SENSITIVITY: f32 = 0.5;
export const DEFAULT_HOLD_MS: f32 = 2000;

export function emergencyInit(sampleRate: i32): void {
  memory.fill(EMG_STATE, 0, 256);
  memory.fill(EMG_FLOOR, 0, <usize>EMG_MAX_BINS << 2);
  const e = emergency();
  e.enabled = 1;
  e.sensitivity = DEFAULT_SENSITIVITY;
  e.holdMs = DEFAULT_HOLD_MS;
  // 8..16 ms frames: 512 samples from 32 kHz up, 256 from 16 kHz, 128 below
  e.fftSize = sampleRate >= 32000 ? 512 : sampleRate >= 16000 ? 256 : 128;
  e.hop = max(1, <i32>(<f32>sampleRate * HOP_MS / 1000));
  e.binHz = <f32>sampleRate / <f32>e.fftSize;
  const half = e.fftSize >> 1;
  e.binLo = max(4, <i32>Mathf.floor(BAND_LO_HZ / e.binHz));
  e.binHi = min(min(half - 4, EMG_MAX_BINS - 4), <i32>Mathf.ceil(BAND_HI_HZ / e.binHz));
  e.untilFrame = e.fftSize; // the first frame needs a whole frame of samples
  emergencyConfigure(e);
}

// Thresholds from the sensitivity: 0.5 is the shipped tuning; 1 trades false triggers for recall.
export function emergencyConfigure(e: EmergencyState): void {
  const s = e.sensitivity;
  e.novelty = Mathf.pow(10, (14 - 8 * s) / 10); // 10 dB at 0.5
  e.dominance = 0.12 * (1.5 - s); // 12 % of the band at 0.5
  e.holdFrames = max(1, <i32>Mathf.round(e.holdMs / HOP_MS));
}

// Per-sample step of the linear fade-out: 20 ms whatever ramp_ms says.
export function emergencyFadeStep(sampleRate: i32): f32 {
  return 1000 / (EMERGENCY_FADE_MS * <f32>sampleRate);
}

// Per anc_process block, after the ANC has written this block's reference samples into HIST_X:
// at most one frame per call (a block longer than the hop skips to the newest frame).
export function emergencyBlock(frames: i32): void {
  const e = emergency();
  if (!e.enabled) {
    e.active = EMERGENCY_NONE; // switching the detector off ends an emergency: ANC comes back over ramp_ms
    e.score = 0;
  } else {
    e.untilFrame -= frames;
    if (e.untilFrame <= 0) {
      e.untilFrame += e.hop;
      if (e.untilFrame <= 0) e.untilFrame = e.hop;
      analyse(e);
    }
  }
  statusI32(ST_EMERGENCY_STATE, e.active);
  statusI32(ST_EMERGENCY_EVENTS, <i32>e.events);
}

// cos(2 pi i / FFT_MAX) for i in 0 .. FFT_MAX - 1, from the twiddle table (half a period)
@inline function cosAt(i: i32): f32 {
  const h = FFT_MAX >> 1;
  return i < h ? load<f32>(TWIDDLE + (<usize>i << 3)) : -load<f32>(TWIDDLE + (<usize>(i - h) << 3));
}

@inline function powAt(k: i32): f32 {
  return load<f32>(POW + (<usize>k << 2));
}
@inline function floorAt(k: i32): f32 {
  return load<f32>(EMG_FLOOR + (<usize>k << 2));
}

function analyse(e: EmergencyState): void {
  const n = e.fftSize;
  const half = n >> 1;
  const step = FFT_MAX / n;
  // newest sample at HIST_X[pos], t samples older at pos + t: frame sample m (0 oldest) is pos + n - 1 - m
  const newest = HIST_X + (<usize>state().pos << 2);
  for (let m = 0; m < half; m++) {
    const t0 = m << 1;
    const x0 = load<f32>(newest + (<usize>(n - 1 - t0) << 2));
    const x1 = load<f32>(newest + (<usize>(n - 2 - t0) << 2));
    const w0: f32 = <f32>0.5 - <f32>0.5 * cosAt(t0 * step);
    const w1: f32 = <f32>0.5 - <f32>0.5 * cosAt((t0 + 1) * step);
    const p = FE_FFT + (<usize>m << 3);
    store<f32>(p, x0 * w0);
    store<f32>(p, x1 * w1, 4);
  }
  realFft(n);
  const lo = e.binLo;
  const hi = e.binHi;
  let band: f32 = 0;
  for (let k = lo - 3; k <= hi + 3; k++) {
    const p = powerAt(k, n);
    store<f32>(POW + (<usize>k << 2), p);
    if (k >= lo && k <= hi) band += p;
  }
  const first = e.frames == 0;
  e.frames++;
  if (first) {
    for (let k = lo; k <= hi; k++) store<f32>(EMG_FLOOR + (<usize>k << 2), Mathf.max(powAt(k), FLOOR_MIN));
    return;
  }

  // the frame's qualifying peaks: local maxima, sharp, new; the best by its share of the band
  const nov = e.novelty;
  let count = 0;
  let best = -1;
  let bestShare: f32 = 0;
  let peakPow: f32 = 0;
  let peakFloor: f32 = 0;
  for (let k = lo; k <= hi; k++) {
    const p = powAt(k);
    if (p < powAt(k - 1) || p <= powAt(k + 1)) continue;
    if (p < SHARPNESS * Mathf.max(powAt(k - 3), powAt(k + 3))) continue;
    if (p < nov * floorAt(k)) continue;
    const three = powAt(k - 1) + p + powAt(k + 1);
    peakPow += three;
    peakFloor += floorAt(k - 1) + floorAt(k) + floorAt(k + 1);
    if (count < MAX_PEAKS) store<i32>(PEAKS + (<usize>count << 2), k);
    count++;
    const share = three / (band + FLOOR_MIN);
    if (share > bestShare) {
      bestShare = share;
      best = k;
    }
  }
  let floorSum: f32 = 0;
  for (let k = lo; k <= hi; k++) floorSum += floorAt(k);
  const residual = band - peakPow;
  const residualFloor = Mathf.max(floorSum - peakFloor, FLOOR_MIN);
  // a tone goes on from frame to frame (a yelp moves under a bin per frame); noise peaks jump
  const listed = min(count, MAX_PEAKS);
  let steady = false;
  for (let i = 0; i < listed && !steady; i++) {
    const k = load<i32>(PEAKS + (<usize>i << 2));
    for (let j = 0; j < e.prevCount; j++) if (abs(k - load<i32>(PREV_PEAKS + (<usize>j << 2))) <= 2) steady = true;
  }
  memory.copy(PREV_PEAKS, PEAKS, <usize>listed << 2);
  e.prevCount = listed;
  e.prevBest = best;
  const hit = best >= 0 && steady && peakPow >= e.dominance * band && residual < Mathf.max(RESIDUAL_JUMP * residualFloor, peakPow);
  let kind = EMERGENCY_NONE;
  if (hit) kind = kindOf(e, best, min(count, MAX_PEAKS));
  e.lastKind = kind;
  e.lastFreq = hit ? <f32>best * e.binHz : 0;

  if (e.active != EMERGENCY_NONE) {
    // the floor stays frozen while an emergency sounds, so it never learns the siren
    if (hit) e.sinceHit = 0;
    else if (++e.sinceHit >= e.holdFrames) {
      e.active = EMERGENCY_NONE;
      e.score = 0;
      e.votes0 = 0;
      e.votes1 = 0;
      e.votes2 = 0;
    }
    return;
  }
  if (hit) {
    e.score = min(SCORE_MAX, e.score + 1);
    if (kind == EMERGENCY_SIREN) e.votes0++;
    else if (kind == EMERGENCY_ALARM) e.votes1++;
    else e.votes2++;
    if (e.score >= TRIGGER_FRAMES) {
      e.active = e.votes1 > e.votes0 && e.votes1 >= e.votes2 ? EMERGENCY_ALARM : e.votes2 > e.votes0 ? EMERGENCY_HORN : EMERGENCY_SIREN;
      e.sinceHit = 0;
      e.events++;
      return;
    }
  } else if (e.score > 0) {
    e.score--;
    if (e.score == 0) {
      e.votes0 = 0;
      e.votes1 = 0;
      e.votes2 = 0;
    }
  }
  for (let k = lo; k <= hi; k++) {
    const a = EMG_FLOOR + (<usize>k << 2);
    const f = load<f32>(a);
    const p = powAt(k);
    store<f32>(a, Mathf.max(FLOOR_MIN, p > f ? f * FLOOR_STEP : f / FLOOR_STEP));
  }
}

// What the peaks look like: a tone near 3 kHz is a smoke alarm; a low fundamental (350-580 Hz)
// with its octave is a horn's harmonic stack (sirens' square-ish drive leaves even harmonics weak);
// a partial at 1.73 or 2.33 times the lowest one is a bell's plate modes; anything else a siren.
function kindOf(e: EmergencyState, best: i32, count: i32): i32 {
  const hz = e.binHz;
  const fb = <f32>best * hz;
  if (fb >= 2700 && fb <= 3800) return EMERGENCY_ALARM;
  const k1 = load<i32>(PEAKS);
  const f1 = <f32>k1 * hz;
  let octave = false;
  let bell = false;
  for (let i = 1; i < count; i++) {
    const k = load<i32>(PEAKS + (<usize>i << 2));
    if (abs(k - 2 * k1) <= 1) octave = true;
    const r = <f32>k / <f32>k1;
    if ((r > 1.66 && r < 1.8) || (r > 2.24 && r < 2.42)) bell = true;
  }
  if (f1 >= 350 && f1 <= 580 && octave) return EMERGENCY_HORN;
  if (f1 >= 550 && f1 <= 1600 && bell && !octave) return EMERGENCY_ALARM;
  return EMERGENCY_SIREN;
}

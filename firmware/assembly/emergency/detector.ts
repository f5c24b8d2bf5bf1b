import { HIST_X, FE_FFT, FFT_MAX, EMG_STATE, EMG_FLOOR, EMG_MAX_BINS, EMG_TRACKS, EMG_MAX_TRACKS } from "../memory-map";
import { state, statusI32, ST_EMERGENCY_STATE, ST_EMERGENCY_EVENTS } from "../state";
import { realFft, powerAt } from "../features/real-fft";
import { EmergencyState, emergency, toneTrack, TRACK_BYTES, EMERGENCY_NONE } from "./detector-state";
import { POW, cosAt, powAt, floorAt, updateTracks } from "./tone-tracks";
import { emergencyKind, hornPartials, harmonicPartner, steady, HORN_PARTIALS, COHERENT_RUN } from "./emergency-kind";
import { emergencyClassReported } from "../classifier/classifier";

// The emergency detector (docs/firmware-abi.md, "Emergency detector"). Every 8 ms it takes the
// newest 8-16 ms of the reference (outside) mic from the ANC's own delay line HIST_X, windows it
// (Hann, from the FFT twiddle table: no table of its own), runs one packed real FFT in the
// classifier's idle FFT area, and follows the narrowband peaks of 250 Hz .. 4.2 kHz that are new
// to the band (above a slowly tracked floor, so the background's own hums and whines do not count)
// as tone tracks (tone-tracks.ts). A track whose phase has advanced as a steady or sweeping tone's
// does for `triggerRun` frames in a row starts an emergency, of the kind its frequency and the
// other tracks say (emergency-kind.ts); it ends `emergency_hold_ms` after the last frame with such
// a tone. A short FFT on a fixed 8 ms hop, rather than a bank of Goertzel filters, because sirens
// sweep: one FFT gives every bin of the band for about fftSize/4 log2(fftSize/2) butterflies per
// frame (~1.2k at 48 kHz, under 4 per sample).

const HOP_MS: f32 = 8;
const BAND_LO_HZ: f32 = 250;
const BAND_HI_HZ: f32 = 4200;
// The floor is a median tracker: each frame it moves by a fixed ratio (3 dB/s) towards the bin's
// power, so it settles on the median of the background (stable on noise, unmoved by a few loud
// frames) and a new tone needs seconds, not the detector's 100 ms, to become background. For
// SETTLE_FRAMES after init it moves 0.5 dB a frame, so the background is learnt first; the tracks
// born in the first 40 ms are the background's own tones and never trigger (tone-tracks.ts), later
// ones may (a sound that starts during the settling), and the floor does not rise under them. The
// horn stack, which needs no coherence, waits for the settling to end.
const FLOOR_STEP: f32 = 1.0056;
const FLOOR_FAST: f32 = 1.122;
const SETTLE_FRAMES: i32 = 60;
const FLOOR_MIN: f32 = 1e-14;
const HOLD_RUN: i32 = 3; // a track this coherent keeps an emergency going
// A lone high tone (no coherent tone below it at an odd fraction of its frequency, as a siren's
// fundamental under its harmonic: steady sirens stay under 1.25 kHz, swept ones pass 1.4 kHz only
// near the top of a sweep) must have started at once, as a smoke alarm's piezo does, not swelled
// as a train's wheel squeal does.
const LONE_TONE_HZ: f32 = 1400;
const ONSET_RISE: f32 = 2; // at most 3 dB louder at the trigger than in its second frame
// ... and loud from its second frame: its three bins on average 12 dB over the floor of its bin and
// both neighbours (3 x 10^1.2). Squeals measured 7-11 dB when first tracked, just above the
// novelty threshold; smoke alarms at 0 dB SNR 16-55 dB.
const ONSET_CONTRAST: f32 = 50;
const STACK_FRAMES: i32 = 2; // frames in a row with a horn's stack that start an emergency
// Two tones, each coherent this many frames, one a harmonic (or a bell's mode) of the other: the
// partials of one source. Noise passes a frame's test about one time in four, so two tracks of
// random phase that both make 6 in a row are about as rare as one that makes 12. The lower one
// must be under LONE_TONE_HZ: a train's wheel squeal at 1.9 kHz grows its octave too.
const PAIRED_RUN: i32 = 6;
const CONFIRMED_RUN: i32 = 7; // coherent frames that trigger while the classifier reports an emergency class
const NO_TRIGGER: i32 = -1;
const STACK_TRIGGER: i32 = EMG_MAX_TRACKS;
const EMERGENCY_FADE_MS: f32 = 20; // anti-noise fade-out on detection, whatever ramp_ms is

export const DEFAULT_SENSITIVITY: f32 = 0.5;
export const DEFAULT_HOLD_MS: f32 = 2000;

export function emergencyInit(sampleRate: i32): void {
  memory.fill(EMG_STATE, 0, 256);
  memory.fill(EMG_FLOOR, 0, <usize>EMG_MAX_BINS << 2);
  memory.fill(EMG_TRACKS, 0, <usize>(EMG_MAX_TRACKS * TRACK_BYTES));
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
  e.settle = SETTLE_FRAMES;
  emergencyConfigure(e);
}

// Thresholds from the sensitivity: 0.5 is the shipped tuning; 1 trades false triggers for recall.
export function emergencyConfigure(e: EmergencyState): void {
  const s = e.sensitivity;
  e.novelty = Mathf.pow(10, (14 - 8 * s) / 10); // 10 dB at 0.5
  e.coherence = Mathf.cos(0.5 + 0.6 * s); // phase within 0.8 rad at 0.5
  e.triggerRun = max(4, <i32>Mathf.round(14 - 8 * s)); // 10 frames (80 ms) at 0.5
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
  } else {
    e.untilFrame -= frames;
    e.sinceFrame += frames;
    if (e.untilFrame <= 0) {
      e.untilFrame += e.hop;
      if (e.untilFrame <= 0) e.untilFrame = e.hop;
      analyse(e);
      e.sinceFrame = 0;
    }
  }
  statusI32(ST_EMERGENCY_STATE, e.active);
  statusI32(ST_EMERGENCY_EVENTS, <i32>e.events);
}

// The newest n samples of the reference, Hann-windowed, into FE_FFT, then its power spectrum over
// the band (and 3 bins either side) into POW.
function spectrum(e: EmergencyState): void {
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
  for (let k = e.binLo - 3; k <= e.binHi + 3; k++) store<f32>(POW + (<usize>k << 2), powerAt(k, n));
}

function analyse(e: EmergencyState): void {
  spectrum(e);
  const lo = e.binLo;
  const hi = e.binHi;
  if (e.frames++ == 0) {
    for (let k = lo - 1; k <= hi + 1; k++) store<f32>(EMG_FLOOR + (<usize>k << 2), Mathf.max(powAt(k), FLOOR_MIN));
    return;
  }
  const best = updateTracks(e);
  const run = best >= 0 ? toneTrack(best).run : 0;
  const partials = hornPartials(e);
  e.stackRun = partials >= HORN_PARTIALS ? e.stackRun + 1 : 0;
  const tonal = run >= HOLD_RUN || e.stackRun > 0;
  const kind = tonal ? emergencyKind(e, best, partials) : EMERGENCY_NONE;

  if (e.active != EMERGENCY_NONE) {
    // the floor stays frozen while an emergency sounds, so it never learns the siren
    if (tonal) e.sinceHit = 0;
    else if (++e.sinceHit >= e.holdFrames) e.active = EMERGENCY_NONE;
    return;
  }
  const settling = e.settle > 0;
  if (settling) e.settle--;
  const cause = trigger(e, settling);
  if (cause != NO_TRIGGER) {
    e.active = cause == STACK_TRIGGER ? kind : emergencyKind(e, cause, partials);
    e.sinceHit = 0;
    e.events++;
    return;
  }
  const up = e.settle > 0 ? FLOOR_FAST : FLOOR_STEP;
  const held = e.settle > 0 ? newToneBins(e) : 0;
  for (let k = lo - 1; k <= hi + 1; k++) {
    const a = EMG_FLOOR + (<usize>k << 2);
    const f = load<f32>(a);
    const p = powAt(k);
    const rise = held & (<u64>1 << <u64>k) ? <f32>1 : up;
    store<f32>(a, Mathf.max(FLOOR_MIN, p > f ? Mathf.min(p, f * rise) : Mathf.max(p, f / up)));
  }
}

// The bins (and their neighbours) under the tracks that began after the background's first frames:
// while the floor is learnt fast it must not rise under a tone that may be an emergency.
function newToneBins(e: EmergencyState): u64 {
  let bins: u64 = 0;
  for (let i = 0; i < EMG_MAX_TRACKS; i++) {
    const t = toneTrack(i);
    if (t.age == 0 || t.onsetPower < 0 || (t.run < HOLD_RUN && !steady(i))) continue;
    const k = <i32>Mathf.round(t.bin);
    bins |= <u64>7 << <u64>max(0, k - 1);
  }
  return bins;
}

// The detector's own evidence: a coherent tone for triggerRun frames (a lone high tone only if it
// began at once), or a horn's stack. While the classifier reports one of its emergency classes,
// CONFIRMED_RUN coherent frames suffice: the model's slower, broader judgement (log-mel over
// tens of ms, smoothed) confirms what the detector hears, and neither triggers alone. Every track
// is weighed, not only the most coherent: a wheel squeal's long run must not hide an alarm's.
// Returns the track that triggers, STACK_TRIGGER or NO_TRIGGER.
function trigger(e: EmergencyState, settling: bool): i32 {
  if (e.stackRun >= STACK_FRAMES && !settling) return STACK_TRIGGER;
  const needed = emergencyClassReported() ? min(CONFIRMED_RUN, e.triggerRun) : e.triggerRun;
  for (let i = 0; i < EMG_MAX_TRACKS; i++) {
    const t = toneTrack(i);
    if (t.age == 0 || t.onsetPower < 0) continue;
    if (t.run >= PAIRED_RUN && harmonicPartner(e, i, PAIRED_RUN, false, LONE_TONE_HZ)) return i;
    if (t.run < needed) continue;
    const lone = t.bin * e.binHz >= LONE_TONE_HZ && !harmonicPartner(e, i, COHERENT_RUN, true, Infinity);
    if (!lone || abrupt(i)) return i;
  }
  return NO_TRIGGER;
}

function abrupt(i: i32): bool {
  const t = toneTrack(i);
  const k = <i32>Mathf.round(t.bin);
  return t.power <= ONSET_RISE * t.onsetPower && t.onsetPower >= ONSET_CONTRAST * Mathf.max(floorAt(k), Mathf.max(floorAt(k - 1), floorAt(k + 1)));
}

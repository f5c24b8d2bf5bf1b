import { EMG_MAX_TRACKS } from "../memory-map";
import { EmergencyState, toneTrack, EMERGENCY_SIREN, EMERGENCY_ALARM, EMERGENCY_HORN } from "./detector-state";

// What the tone tracks of a frame say (status emergency_state):
//   - a steady tone at 2.7-3.8 kHz with nothing coherent below it: a smoke alarm's piezo (alarm);
//   - steady partials a horn's fundamental apart (380-560 Hz, dividing the lower one): a horn's
//     buzzing harmonic stack. Its phases need not be coherent: a pair of horns a minor third
//     apart puts partials of both within a bin of each other, and their beating scrambles the
//     phase, but every partial stays where it is (sirens' square-ish drive leaves the even
//     harmonics weak, so their partials stand 2 f0 apart and never count);
//   - a partial at 1.73 or 2.33 times the lowest: a bell's plate modes (alarm);
//   - anything else: a siren.

export const COHERENT_RUN: i32 = 3; // tracks that count for the kind
const STEADY_AGE: i32 = 5; // a partial that has stayed this many frames (40 ms; a toot lasts 100-300 ms) ...
const STEADY_SLOPE: f32 = 0.25; // ... moving at most this many bins a frame
const HORN_F0_LO: f32 = 370;
const HORN_F0_HI: f32 = 560;
export const HORN_PARTIALS: i32 = 3; // steady partials on one horn's harmonics that make a stack
const MAX_HARMONIC: i32 = 10;
const SIEVE_BINS: f32 = 0.6;
// A partner is a harmonic up to the 5th (beyond, a fundamental's error of a tenth of a bin times
// the harmonic number is as wide as the tolerance, and a random low track passes), within a tenth
// of a harmonic number, whose track moves as the harmonic of the upper's should (a sweeping
// siren's harmonic sweeps h times as fast; a random low track of a train's rumble does not).
const MAX_PARTNER_HARMONIC: i32 = 5;
const HARMONIC_TOLERANCE: f32 = 0.1;
const SLOPE_TOLERANCE: f32 = 1; // bins per frame

@inline export function steady(i: i32): bool {
  const t = toneTrack(i);
  return t.age >= STEADY_AGE && t.onsetPower >= 0 && Mathf.abs(t.slope) <= STEADY_SLOPE;
}

// A harmonic sieve over the steady partials: the most partials that sit on the harmonics of one
// fundamental of a horn (each partial's frequency divided by 1..MAX_HARMONIC is a candidate). A
// candidate comes only from a partial with a peak in this frame: the others may be held over a
// frame or two without one (a weak horn's partials come and go), but a stack of such stale
// partials alone is what babble's voices leave on a female voice's harmonics.
export function hornPartials(e: EmergencyState): i32 {
  const hz = e.binHz;
  const tolerance = SIEVE_BINS * hz;
  let most = 0;
  for (let i = 0; i < EMG_MAX_TRACKS; i++) {
    if (!steady(i) || toneTrack(i).missed != 0) continue;
    const fi = toneTrack(i).bin * hz;
    for (let h = 1; h <= MAX_HARMONIC; h++) {
      const f0 = fi / <f32>h;
      if (f0 < HORN_F0_LO || f0 > HORN_F0_HI) continue;
      let count = 0;
      for (let j = 0; j < EMG_MAX_TRACKS; j++) {
        if (!steady(j)) continue;
        const fj = toneTrack(j).bin * hz;
        if (Mathf.abs(fj - Mathf.round(fj / f0) * f0) <= tolerance) count++;
      }
      most = max(most, count);
    }
  }
  return most;
}

// A bell's plate modes over its lowest: 1.73 and 2.33.
@inline function bellRatio(r: f32): bool {
  return (r > 1.66 && r < 1.8) || (r > 2.24 && r < 2.42);
}

// Whether a tone that is not the background's own, coherent for at least minRun frames and below
// belowHz, sits under track i as its harmonic's fundamental or as a bell's lower mode. With
// oddOnly, only 1/3 and 1/5: a siren's square-ish drive leaves its even harmonics weak, and any
// coherent low tone is not enough, since a train's steady 3.7 kHz squeal would pass as soon as
// the rumble lent a random low track a short run.
export function harmonicPartner(e: EmergencyState, i: i32, minRun: i32, oddOnly: bool, belowHz: f32): bool {
  const f = toneTrack(i).bin;
  const slope = toneTrack(i).slope;
  const first: f32 = oddOnly ? 3 : 2;
  for (let j = 0; j < EMG_MAX_TRACKS; j++) {
    const t = toneTrack(j);
    if (j == i || t.age == 0 || t.onsetPower < 0 || t.run < minRun || t.bin <= 0 || t.bin * e.binHz >= belowHz) continue;
    const r = f / t.bin;
    const h = Mathf.round(r);
    const odd = (<i32>h & 1) == 1;
    if (Mathf.abs(slope - r * t.slope) > SLOPE_TOLERANCE) continue;
    if (h >= first && h <= <f32>MAX_PARTNER_HARMONIC && (odd || !oddOnly) && Mathf.abs(r - h) <= HARMONIC_TOLERANCE) return true;
    if (bellRatio(r)) return true;
  }
  return false;
}

// The lowest coherent tone that is not the background's own (Infinity if none).
export function lowestCoherent(e: EmergencyState): f32 {
  let lowest: f32 = Infinity;
  for (let i = 0; i < EMG_MAX_TRACKS; i++) {
    const t = toneTrack(i);
    if (t.age != 0 && t.onsetPower >= 0 && t.run >= COHERENT_RUN) lowest = Mathf.min(lowest, t.bin * e.binHz);
  }
  return lowest;
}

// The kind of the frame's evidence: `best` is the most coherent track (or -1), `partials` the horn sieve's count.
export function emergencyKind(e: EmergencyState, best: i32, partials: i32): i32 {
  if (partials >= HORN_PARTIALS || best < 0) return EMERGENCY_HORN;
  const hz = e.binHz;
  const lowest = lowestCoherent(e);
  const fb = toneTrack(best).bin * hz;
  if (fb >= 2700 && fb <= 3800 && lowest >= 2500) return EMERGENCY_ALARM;
  for (let i = 0; i < EMG_MAX_TRACKS; i++) {
    const t = toneTrack(i);
    if (t.age == 0 || t.run < COHERENT_RUN) continue;
    const r = (t.bin * hz) / lowest;
    if (bellRatio(r)) return EMERGENCY_ALARM;
  }
  return EMERGENCY_SIREN;
}

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

const COHERENT_RUN: i32 = 3; // tracks that count for the kind
const STEADY_AGE: i32 = 6; // a partial that has stayed this many frames ...
const STEADY_SLOPE: f32 = 0.25; // ... moving at most this many bins a frame
const HORN_F0_LO: f32 = 370;
const HORN_F0_HI: f32 = 560;
export const HORN_PARTIALS: i32 = 3; // steady partials on one horn's harmonics that make a stack
const MAX_HARMONIC: i32 = 10;
const SIEVE_BINS: f32 = 0.6;

@inline export function steady(i: i32): bool {
  const t = toneTrack(i);
  return t.age >= STEADY_AGE && t.onsetPower >= 0 && Mathf.abs(t.slope) <= STEADY_SLOPE;
}

// A harmonic sieve over the steady partials: the most partials that sit on the harmonics of one
// fundamental of a horn (each partial's frequency divided by 1..MAX_HARMONIC is a candidate).
export function hornPartials(e: EmergencyState): i32 {
  const hz = e.binHz;
  const tolerance = SIEVE_BINS * hz;
  let most = 0;
  for (let i = 0; i < EMG_MAX_TRACKS; i++) {
    if (!steady(i)) continue;
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
    if ((r > 1.66 && r < 1.8) || (r > 2.24 && r < 2.42)) return EMERGENCY_ALARM;
  }
  return EMERGENCY_SIREN;
}

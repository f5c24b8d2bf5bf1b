import { EMG_STATE, EMG_TRACKS } from "../memory-map";

// Values of status emergency_state
export const EMERGENCY_NONE: i32 = 0;
export const EMERGENCY_SIREN: i32 = 1;
export const EMERGENCY_ALARM: i32 = 2; // smoke alarm or bell
export const EMERGENCY_HORN: i32 = 3;

// The emergency detector's state, at a fixed address (EMG_STATE, 256 B), never in module globals.
// anc_init zeroes it with the rest of the engine's memory, then emergencyInit sets the defaults.
@unmanaged
export class EmergencyState {
  enabled: i32; // parameter emergency_enable
  sensitivity: f32; // parameter emergency_sensitivity, 0..1
  holdMs: f32; // parameter emergency_hold_ms
  // derived from the sample rate and the parameters (emergencyConfigure)
  fftSize: i32; // 128, 256 or 512: 8..16 ms of reference signal at any rate from 8 kHz up
  hop: i32; // samples between frames: 8 ms
  binLo: i32; // band watched: binLo .. binHi
  binHi: i32;
  binHz: f32;
  novelty: f32; // a peak must stand this far above the floor around it (power ratio)
  coherence: f32; // a track's phase must advance as its frequency says within acos(coherence)
  triggerRun: i32; // coherent frames in a row that start an emergency
  holdFrames: i32;
  // schedule
  untilFrame: i32; // samples until the next frame
  sinceFrame: i32; // samples since the last frame: the hop the phases advanced over
  frames: u32; // frames analysed since init
  settle: i32; // frames left of fast floor learning after init
  // decision
  active: i32; // kind of the emergency in progress (status emergency_state), 0 = none
  sinceHit: i32; // frames since the last frame with a tonal emergency-like track, while active
  events: u32; // emergencies since anc_init (status emergency_events)
  stackRun: i32; // frames in a row with a horn's steady harmonic stack
}

export function emergency(): EmergencyState {
  return changetype<EmergencyState>(EMG_STATE);
}

// One tone followed from frame to frame (tone-tracks.ts), TRACK_BYTES at EMG_TRACKS.
@unmanaged
export class ToneTrack {
  age: i32; // frames since the track began, 0 = free slot
  bin: f32; // interpolated frequency, in bins
  slope: f32; // bins per frame, smoothed
  re: f32; // unit phasor of the centred spectrum at the track's peak in the last frame
  im: f32;
  power: f32; // the peak's three-bin power
  onsetPower: f32; // ... in the track's second frame (its first may hold only part of the onset)
  run: i32; // leaky count of frames whose phase advanced as the frequency says
  missed: i32; // frames in a row without a peak
}

export const TRACK_BYTES: i32 = 36;

export function toneTrack(i: i32): ToneTrack {
  return changetype<ToneTrack>(EMG_TRACKS + <usize>(i * TRACK_BYTES));
}

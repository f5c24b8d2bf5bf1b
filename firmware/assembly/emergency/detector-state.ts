import { EMG_STATE } from "../memory-map";

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
  novelty: f32; // a peak must stand this far above its bin's floor (power ratio)
  dominance: f32; // ... and hold this share of the band's power
  holdFrames: i32;
  // schedule
  untilFrame: i32; // samples until the next frame
  frames: u32; // frames analysed since init
  // decision
  score: i32; // leaky count of frames with an emergency-like peak
  votes0: i32; // kind votes while the score builds: siren, alarm, horn
  votes1: i32;
  votes2: i32;
  active: i32; // kind of the emergency in progress (status emergency_state), 0 = none
  sinceHit: i32; // frames since the last frame with a peak, while active
  events: u32; // emergencies since anc_init (status emergency_events)
  lastKind: i32; // kind of the last frame's peak, 0 = none (for the bench)
  lastFreq: f32; // frequency of the last frame's peak
  prevBest: i32; // bin of the last frame's best peak, -1 none
  prevCount: i32; // qualifying peaks of the last frame, their bins at EMG_STATE + 128
}

export function emergency(): EmergencyState {
  return changetype<EmergencyState>(EMG_STATE);
}

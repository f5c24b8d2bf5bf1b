// A sound source on a vehicle driving past in a straight line: its level follows spherical
// spreading (1/r, -6 dB per doubling of distance) and its pitch the Doppler factor c / (c + v_r),
// v_r the rate the distance grows. This is what makes a passing siren rise, peak and sink in
// pitch and level (about +-6 % in pitch at 20 m/s, 72 km/h).
import type { Random } from '../acoustics/random.ts';
import { between, chance } from './draw.ts';

const SPEED_OF_SOUND = 343; // m/s in air at 20 degrees C

export interface VehiclePass {
  /** Distance at the closest approach, metres. */
  closestMeters: number;
  /** Speed along the road, m/s; 0 for a parked vehicle. */
  speedMps: number;
  /** When the closest approach happens, seconds from the start (may lie outside the clip). */
  closestAtSeconds: number;
}

/** A pass drawn for a clip of `seconds`: usually a moving vehicle whose closest approach is near the clip. */
export function drawVehiclePass(random: Random, seconds: number): VehiclePass {
  if (chance(random, 0.2)) return { closestMeters: between(random, 10, 60), speedMps: 0, closestAtSeconds: 0 };
  return {
    closestMeters: between(random, 5, 30),
    speedMps: between(random, 5, 25), // 18-90 km/h: city response driving
    closestAtSeconds: between(random, -0.5, 1.5) * seconds,
  };
}

/**
 * Per-sample amplitude (1 at the closest approach) and Doppler factor (received over emitted
 * frequency). Propagation delay is left out: over a few seconds it only shifts the pattern.
 */
export function vehiclePassCurves(pass: VehiclePass, length: number, sampleRate: number): { gain: Float32Array; doppler: Float64Array } {
  const gain = new Float32Array(length);
  const doppler = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const along = pass.speedMps * (i / sampleRate - pass.closestAtSeconds);
    const r = Math.hypot(pass.closestMeters, along);
    gain[i] = pass.closestMeters / r;
    const radial = (pass.speedMps * along) / r; // dr/dt: negative while approaching
    doppler[i] = SPEED_OF_SOUND / (SPEED_OF_SOUND + radial);
  }
  return { gain, doppler };
}

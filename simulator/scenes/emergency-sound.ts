// An emergency sound as the scene mixer needs it: the samples, which variant it is, and where it
// actually sounds (the stretches an SNR is measured over and a detector is judged on).
import type { Random } from '../acoustics/random.ts';
import type { SampleWindow } from '../metrics/sample-window.ts';
import { carHorn } from './car-horn.ts';
import type { EmergencyClass } from './scene-class.ts';
import { fireBell } from './fire-bell.ts';
import { pick } from './draw.ts';
import { siren, SIREN_KINDS } from './siren.ts';
import { smokeAlarm } from './smoke-alarm.ts';

export interface EmergencySound {
  /** Peak-free level: full-scale RMS about 0.1 over `active`; the mixer sets the real level. */
  samples: Float32Array;
  /** e.g. 'wail', 'smoke-t3', 'bell', 'horn-two-tone-short'. */
  variant: string;
  /** The stretches that sound, in order, not overlapping. */
  active: SampleWindow[];
}

/** One sound of `emergencyClass`, of the variant and parameters `random` draws, `seconds` long. */
export function emergencySound(emergencyClass: EmergencyClass, random: Random, seconds: number, sampleRate: number): EmergencySound {
  const length = Math.round(seconds * sampleRate);
  switch (emergencyClass) {
    case 'siren':
      return siren(pick(random, SIREN_KINDS), random, length, sampleRate);
    case 'alarm':
      // smoke alarms are the commoner alarm a headset wearer meets; bells are schools and old buildings
      return random.uniform() < 0.6 ? smokeAlarm(random, length, sampleRate) : fireBell(random, length, sampleRate);
    case 'horn':
      return carHorn(random, length, sampleRate);
  }
}

// An emergency sound placed in a background at a stated SNR, and the label that says what and
// where it is.
// SNR here is the emergency sound's power over its active part (the stretches it sounds: an
// alarm's pulses, a horn's presses) against the background's power over the same samples, so a
// T3 alarm at 0 dB is as loud as the noise while it beeps, as a listener would judge it. The mix
// is then scaled as a whole (both parts alike, the SNR kept) if its peak would pass -1 dBFS, so
// no clip ever clips.
import type { SampleWindow } from '../metrics/sample-window.ts';
import { activePower, shiftWindows } from './active-level.ts';
import type { EmergencySound } from './emergency-sound.ts';
import type { EnvironmentClass, SceneClass } from './scene-class.ts';

export const PEAK_LIMIT = 10 ** (-1 / 20); // -1 dBFS

export interface SceneLabel {
  class: SceneClass;
  emergency: boolean;
  /** When the emergency sound first sounds, seconds from the start of the clip. */
  onsetSeconds?: number;
  /** When it last stops sounding (the end of its last active stretch). */
  offsetSeconds?: number;
  /** Every stretch it sounds, [start, end] in seconds (a horn's presses, an alarm's beeps). */
  activeSeconds?: [number, number][];
  /** The emergency sound's variant, e.g. 'wail' or 'smoke-t3'. */
  variant?: string;
  /** The environment under an emergency sound. */
  background?: EnvironmentClass;
  snrDb?: number;
}

export interface SceneMix {
  mixture: Float32Array;
  /** The emergency sound as placed and scaled in the mixture (mixture = signal + background). */
  signal: Float32Array;
  /** The background as scaled in the mixture. */
  background: Float32Array;
  /** Where the signal sounds, in mixture samples. */
  active: SampleWindow[];
}

/** SNR in dB of `signal` against `background` over `active`. */
export function snrOver(signal: ArrayLike<number>, background: ArrayLike<number>, active: readonly SampleWindow[]): number {
  return 10 * Math.log10(activePower(signal, active) / activePower(background, active));
}

/** Scales every array alike, in place, so that none peaks above `limit`; returns the factor. */
export function limitPeak(arrays: readonly Float32Array[], measured: Float32Array, limit = PEAK_LIMIT): number {
  let peak = 0;
  for (let i = 0; i < measured.length; i++) peak = Math.max(peak, Math.abs(measured[i]));
  const g = peak > limit ? limit / peak : 1;
  if (g < 1) for (const x of arrays) for (let i = 0; i < x.length; i++) x[i] *= g;
  return g;
}

/**
 * `sound` starting at sample `onset` of a copy of `background` (cut at its end), at `snrDb`; the
 * whole is scaled down if it would peak above `peakLimit` (pass Infinity to leave that to the caller).
 * Throws if none of the sound's active part falls inside the background or the background is silent there.
 */
export function mixAtSnr(background: Float32Array, sound: EmergencySound, onset: number, snrDb: number, peakLimit = PEAK_LIMIT): SceneMix {
  const length = background.length;
  const active = shiftWindows(sound.active, onset, length);
  if (active.length === 0) throw new RangeError(`the ${sound.variant} placed at sample ${onset} does not sound within ${length} samples`);
  const signal = new Float32Array(length);
  signal.set(sound.samples.subarray(0, Math.max(0, length - onset)), onset);
  const noisePower = activePower(background, active);
  if (!(noisePower > 0)) throw new RangeError('the background is silent where the signal sounds: SNR undefined');
  const g = Math.sqrt((noisePower * 10 ** (snrDb / 10)) / activePower(signal, active));
  for (let i = 0; i < length; i++) signal[i] *= g;
  const bg = Float32Array.from(background);
  const mixture = new Float32Array(length);
  for (let i = 0; i < length; i++) mixture[i] = signal[i] + bg[i];
  limitPeak([mixture, signal, bg], mixture, peakLimit);
  return { mixture, signal, background: bg, active };
}

// The headset's acoustic plant: the primary path P (noise at the reference mic -> sound at the
// error mic) and the secondary path S (speaker -> error mic), as FIR impulse responses at 48 kHz.
//
// Why these numbers (over-ear cup, 48 kHz, 128 taps = 2.7 ms each):
// - The reference mic sits on the outside of the cup, 3-5 cm from the ear: sound needs 8 samples
//   (170 us, about 6 cm around the cup) to reach the error mic. Passive isolation of a closed cup is
//   a few dB at low frequencies, where the cushion moves as a mass, rising to about -20..-25 dB above
//   1-2 kHz: a gain plus a high shelf.
// - The speaker faces the error mic about 1.5 cm away: 2 samples, a cup resonance near 2-3 kHz and
//   a roll-off above 8 kHz. A sealed cup is a pressure chamber: below the driver's resonance
//   (about 150 Hz, a mild peak) the pressure follows the cone's displacement, which is flat, so the
//   response stays flat down to the corner the seal's leak sets. Only a leak turns the speaker into
//   a high-pass (here 250 Hz for a poor seal). A sealed-cup high-pass near
//   100 Hz, as sometimes assumed, would give S about 110 samples of group delay at 40 Hz, which
//   makes any FxLMS step size above ~0.01 unstable there; no sealed headset behaves like that.
// - Causality: the firmware's anti-noise reaches the error mic after 1 (block) + 1 (DAC) + 2
//   (acoustic) samples, and its reference is itself 1 ADC sample late: 5 samples in all, against 8
//   for the noise. That 3-sample margin is what lets the default preset cancel broadband noise;
//   earcup presets keep it, 'earbud' keeps 2 (its ear-side distances are shorter).
import { designBiquad, filterBiquads, type BiquadShape } from './biquad.ts';
import { delayResponse, truncate } from './impulse-response.ts';
import { readMonoAt } from '../wav.ts';

export interface PlantPaths {
  primary: Float32Array;
  secondary: Float32Array;
}

export const PLANT_PRESETS = ['earcup-closed', 'earcup-leaky', 'earcup-shifted', 'earbud', 'ideal'] as const;
export type PlantPreset = (typeof PLANT_PRESETS)[number];

export const PATH_TAPS = 128;

interface CupModel {
  /** Samples from the reference mic to the error mic. */
  primaryDelay: number;
  isolationLowDb: number;
  isolationHighDb: number;
  isolationCornerHz: number;
  /** Samples from the speaker to the error mic. */
  speakerDelay: number;
  speakerGainDb: number;
  /** High-pass corner the seal's leak sets; 0 for a sealed cup (flat to DC). */
  leakCornerHz: number;
  driverResonanceHz: number;
  resonanceHz: number;
  resonanceDb: number;
  trebleCornerHz: number;
}

const CLOSED: CupModel = {
  primaryDelay: 8,
  isolationLowDb: -3,
  isolationHighDb: -22,
  isolationCornerHz: 400,
  speakerDelay: 2,
  speakerGainDb: -3,
  leakCornerHz: 0,
  driverResonanceHz: 150,
  resonanceHz: 2500,
  resonanceDb: 4,
  trebleCornerHz: 8000,
};

const MODELS: Record<Exclude<PlantPreset, 'ideal'>, CupModel> = {
  'earcup-closed': CLOSED,
  // a poor seal (glasses, hair): noise leaks in around the cushion and the speaker loses its bass
  'earcup-leaky': { ...CLOSED, isolationLowDb: -1, isolationHighDb: -12, isolationCornerHz: 900, leakCornerHz: 250, speakerGainDb: -5 },
  // the same cup moved on the head: a few dB here and there, as a path change mid-run
  'earcup-shifted': { ...CLOSED, isolationLowDb: -1.5, isolationCornerHz: 500, speakerGainDb: -5, driverResonanceHz: 180, resonanceHz: 2800, resonanceDb: 6 },
  // in the ear canal: a tight seal, the driver right at the canal, less room on both sides
  earbud: {
    primaryDelay: 6,
    isolationLowDb: -8,
    isolationHighDb: -28,
    isolationCornerHz: 300,
    speakerDelay: 1,
    speakerGainDb: 0,
    leakCornerHz: 0,
    driverResonanceHz: 300,
    resonanceHz: 6000,
    resonanceDb: 5,
    trebleCornerHz: 12000,
  },
};

export function plantPaths(preset: PlantPreset, sampleRate = 48000): PlantPaths {
  if (preset === 'ideal') {
    // no cup at all: the noise arrives attenuated and late, the speaker is a pure short delay,
    // which is what plain LMS/NLMS (no secondary-path model) assume
    const primary = delayResponse(8, PATH_TAPS);
    primary[8] = 0.5;
    return { primary, secondary: delayResponse(1, PATH_TAPS) };
  }
  const m = MODELS[preset];
  if (!m) throw new Error(`unknown plant preset "${preset}": one of ${PLANT_PRESETS.join(', ')}`);
  const build = (delay: number, gainDb: number, shapes: BiquadShape[]) => {
    const h = filterBiquads(
      shapes.map((s) => designBiquad(s, sampleRate)),
      delayResponse(delay, PATH_TAPS),
    );
    const g = 10 ** (gainDb / 20);
    for (let k = 0; k < h.length; k++) h[k] *= g;
    return truncate(h, PATH_TAPS);
  };
  return {
    primary: build(m.primaryDelay, m.isolationLowDb, [{ type: 'highshelf', hz: m.isolationCornerHz, gainDb: m.isolationHighDb - m.isolationLowDb }]),
    secondary: build(m.speakerDelay, m.speakerGainDb, [
      ...(m.leakCornerHz > 0 ? [{ type: 'highpass', hz: m.leakCornerHz } as const] : []),
      { type: 'peaking', hz: m.driverResonanceHz, q: 1, gainDb: 3 },
      { type: 'peaking', hz: m.resonanceHz, q: 1.5, gainDb: m.resonanceDb },
      { type: 'lowpass', hz: m.trebleCornerHz },
    ]),
  };
}

/** A measured plant: each path a mono WAV impulse response, resampled to `sampleRate`. */
export function plantFromWav(primaryPath: string, secondaryPath: string, sampleRate = 48000): PlantPaths {
  return { primary: readMonoAt(primaryPath, sampleRate), secondary: readMonoAt(secondaryPath, sampleRate) };
}

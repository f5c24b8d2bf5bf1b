// Attenuation band by band, and the worst band: where ANC adds sound instead of removing it.
import { attenuationDb } from './signal-power.ts';
import { THIRD_OCTAVE_BANDS } from './third-octave-bands.ts';

export interface BandAttenuation {
  hz: number;
  attenuationDb: number;
  /**
   * False for a band whose disturbance is negligible next to the strongest band: its ratio is
   * numerical noise over nothing, so it is reported but never called amplification.
   */
  counted: boolean;
}

/** Bands this far below the strongest disturbance band are not counted. */
export const NEGLIGIBLE_BAND_DB = 60;

export function compareBands(
  before: Float64Array,
  after: Float64Array,
  bands = THIRD_OCTAVE_BANDS,
  negligibleDb = NEGLIGIBLE_BAND_DB,
): BandAttenuation[] {
  const strongest = Math.max(0, ...before);
  const floor = strongest * 10 ** (-negligibleDb / 10);
  return bands.map((band, i) => ({
    hz: band.hz,
    attenuationDb: attenuationDb(before[i], after[i]),
    counted: strongest > 0 && before[i] >= floor,
  }));
}

export interface WorstBand {
  hz: number;
  /** Residual over disturbance power in dB: positive means amplified. */
  gainDb: number;
}

/** The counted band with the least attenuation, or null when no band carries any disturbance. */
export function worstBand(bands: readonly BandAttenuation[]): WorstBand | null {
  let worst: WorstBand | null = null;
  for (const band of bands) {
    if (band.counted && (worst === null || -band.attenuationDb > worst.gainDb)) {
      worst = { hz: band.hz, gainDb: -band.attenuationDb };
    }
  }
  return worst;
}

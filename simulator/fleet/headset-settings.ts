// What a headset does with its shadow's desired state: applies each known field to the running
// firmware module and answers what it now runs, read back from the module, so the reported
// state is the truth and the delta clears only when the module really changed.
//
// The module has no hear-through path and no EQ or classifier model: `transparency` turns the
// cancellation off (bypass) like `off` does, and `eq`/`modelVersion` are never applied, so a
// delta naming them stays open, which is what a real headset without them would show.
import { ALGORITHMS, FirmwareError, type AlgorithmName } from '../../firmware/loader.ts';
import type { HeadsetFirmware } from './stepped-acoustics.ts';

export const ANC_MODES = ['off', 'anc', 'transparency', 'adaptive'] as const;
export type AncMode = (typeof ANC_MODES)[number];

/** The reported section a headset owns (contract 5's known fields). */
export interface ReportedSettings {
  ancMode: AncMode;
  algorithm: AlgorithmName;
  intensity: number;
  firmwareVersion: string;
  modelVersion?: string;
}

export interface SettingsOutcome {
  /** Fields that changed, as the module now runs them. */
  reported: Partial<ReportedSettings>;
  /** Fields the module refused, with the reason (e.g. RLS with more than 32 taps). */
  refused: Array<{ field: string; code: number | string; message: string }>;
  /** Fields this headset cannot apply (no such feature), left in the delta. */
  unsupported: string[];
}

export class HeadsetSettings {
  #ancMode: AncMode = 'anc';
  // what desired said, kept so a float32 read-back equal to it reports the very number asked
  #askedIntensity: number | undefined;

  constructor(
    private readonly firmware: HeadsetFirmware,
    private readonly versions: { firmwareVersion: string; modelVersion?: string },
  ) {}

  /** The whole reported section, read from the module. */
  current(): ReportedSettings {
    return {
      ancMode: this.#ancMode,
      algorithm: ALGORITHMS[this.firmware.getParam('algorithm')] ?? ALGORITHMS[0],
      intensity: this.#intensity(),
      firmwareVersion: this.versions.firmwareVersion,
      ...(this.versions.modelVersion ? { modelVersion: this.versions.modelVersion } : {}),
    };
  }

  /** Applies a delta's fields to the module. */
  apply(delta: Record<string, unknown>): SettingsOutcome {
    const outcome: SettingsOutcome = { reported: {}, refused: [], unsupported: [] };
    const attempt = (field: string, change: () => void) => {
      try {
        change();
      } catch (error) {
        if (!(error instanceof FirmwareError)) throw error;
        outcome.refused.push({ field, code: error.code, message: error.message });
      }
    };
    for (const [field, value] of Object.entries(delta)) {
      switch (field) {
        case 'intensity':
          if (typeof value !== 'number') break;
          attempt(field, () => {
            this.firmware.configure({ intensity: value });
            this.#askedIntensity = value;
            outcome.reported.intensity = this.#intensity();
          });
          break;
        case 'ancMode':
          if (!(ANC_MODES as readonly unknown[]).includes(value)) break;
          attempt(field, () => {
            this.firmware.configure({ bypass: value === 'off' || value === 'transparency' ? 1 : 0 });
            this.#ancMode = value as AncMode;
            outcome.reported.ancMode = this.#ancMode;
          });
          break;
        case 'algorithm':
          if (!(ALGORITHMS as readonly unknown[]).includes(value)) break;
          attempt(field, () => {
            this.firmware.configure({ algorithm: value as AlgorithmName });
            // the parameter holds the target at once; status() shows the old one until the crossfade ends
            outcome.reported.algorithm = ALGORITHMS[this.firmware.getParam('algorithm')];
          });
          break;
        default:
          outcome.unsupported.push(field);
      }
    }
    return outcome;
  }

  #intensity(): number {
    const actual = this.firmware.getParam('intensity');
    const asked = this.#askedIntensity;
    return asked !== undefined && Math.fround(asked) === Math.fround(actual) ? asked : Number(actual.toFixed(6));
  }
}

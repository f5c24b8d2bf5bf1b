// What a headset does with its shadow's desired state: applies each known field to the running
// firmware module and answers what it now runs, read back from the module, so the reported
// state is the truth and the delta clears only when the module really changed.
//
// The module has no hear-through path and no EQ: `transparency` turns the cancellation off
// (bypass) like `off` does, and `eq` is never applied, so a delta naming it stays open, which is
// what a real headset without it would show. Nor is a desired `modelVersion`: a model arrives
// only as an over-the-air bundle (ota-agent.ts), which sets the versions reported here.
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

export interface RunningVersions {
  firmwareVersion: string;
  modelVersion?: string;
}

export class HeadsetSettings {
  #ancMode: AncMode = 'anc';
  // what desired said, kept so a float32 read-back equal to it reports the very number asked
  #askedIntensity: number | undefined;
  #firmware: HeadsetFirmware;
  #versions: RunningVersions;

  constructor(firmware: HeadsetFirmware, versions: RunningVersions) {
    this.#firmware = firmware;
    this.#versions = { ...versions };
  }

  get versions(): Readonly<RunningVersions> {
    return this.#versions;
  }

  /** What an over-the-air install or rollback left running. */
  setVersions(versions: RunningVersions): void {
    this.#versions = { ...versions };
  }

  /**
   * A new module took over (firmware install, or rollback to the previous one): the settings the
   * old one ran are applied to it, so the user's mode, algorithm and intensity survive the swap.
   */
  moveTo(firmware: HeadsetFirmware): SettingsOutcome {
    const { ancMode, algorithm, intensity } = this.current();
    this.#firmware = firmware;
    return this.apply({ ancMode, algorithm, intensity: this.#askedIntensity ?? intensity });
  }

  /** The whole reported section, read from the module. */
  current(): ReportedSettings {
    return {
      ancMode: this.#ancMode,
      algorithm: ALGORITHMS[this.#firmware.getParam('algorithm')] ?? ALGORITHMS[0],
      intensity: this.#intensity(),
      firmwareVersion: this.#versions.firmwareVersion,
      ...(this.#versions.modelVersion ? { modelVersion: this.#versions.modelVersion } : {}),
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
            this.#firmware.configure({ intensity: value });
            this.#askedIntensity = value;
            outcome.reported.intensity = this.#intensity();
          });
          break;
        case 'ancMode':
          if (!(ANC_MODES as readonly unknown[]).includes(value)) break;
          attempt(field, () => {
            this.#firmware.configure({ bypass: value === 'off' || value === 'transparency' ? 1 : 0 });
            this.#ancMode = value as AncMode;
            outcome.reported.ancMode = this.#ancMode;
          });
          break;
        case 'algorithm':
          if (!(ALGORITHMS as readonly unknown[]).includes(value)) break;
          attempt(field, () => {
            this.#firmware.configure({ algorithm: value as AlgorithmName });
            // the parameter holds the target at once; status() shows the old one until the crossfade ends
            outcome.reported.algorithm = ALGORITHMS[this.#firmware.getParam('algorithm')];
          });
          break;
        default:
          outcome.unsupported.push(field);
      }
    }
    return outcome;
  }

  #intensity(): number {
    const actual = this.#firmware.getParam('intensity');
    const asked = this.#askedIntensity;
    return asked !== undefined && Math.fround(asked) === Math.fround(actual) ? asked : Number(actual.toFixed(6));
  }
}

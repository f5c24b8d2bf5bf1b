// What a virtual headset runs: the firmware module in its stepped acoustics, the settings applied
// to it, the classifier model blob it was given and the versions it reports. Over-the-air
// installs act on this: a model swaps live in the running module (its A/B model slots), a new
// module is test-booted in acoustics of its own and only then takes over, and a rollback brings
// back a snapshot (the previous module instance is kept, as a device keeps its other slot).
import type { Scenario } from '../scenarios/scenario.ts';
import { HeadsetSettings, type ReportedSettings, type RunningVersions } from './headset-settings.ts';
import { SteppedAcoustics, type HeadsetFirmware } from './stepped-acoustics.ts';

export interface RunningModel {
  blob: Uint8Array;
  version: string;
}

/** Everything needed to go back to what ran before an install. */
export interface RuntimeSnapshot {
  firmware: HeadsetFirmware;
  acoustics: SteppedAcoustics | undefined;
  versions: RunningVersions;
  model: RunningModel | undefined;
  settings: Pick<ReportedSettings, 'ancMode' | 'algorithm' | 'intensity'>;
}

export interface SelfTestResult {
  ok: boolean;
  detail: string;
}

/** A module under test boot: confirm() makes it the running one. */
export interface TrialBoot extends SelfTestResult {
  confirm(version: string): void;
}

const RECENT = 30; // attenuation readings (one per acoustic step) averaged for "what the module measures now"

export class HeadsetRuntime {
  readonly settings: HeadsetSettings;
  readonly #scenario: Scenario;
  readonly #seed: number;
  #firmware: HeadsetFirmware;
  #acoustics: SteppedAcoustics | undefined;
  #model: RunningModel | undefined;
  #recent: number[] = [];

  constructor(o: { firmware: HeadsetFirmware; scenario: Scenario; seed: number; versions: RunningVersions }) {
    this.#firmware = o.firmware;
    this.#scenario = o.scenario;
    this.#seed = o.seed;
    this.settings = new HeadsetSettings(o.firmware, o.versions);
  }

  get firmware(): HeadsetFirmware {
    return this.#firmware;
  }

  get model(): RunningModel | undefined {
    return this.#model;
  }

  /** Powers the module up in its acoustics (init, the scenario's configuration, S^). */
  powerUp(): void {
    this.#acoustics = this.#newAcoustics(this.#firmware);
  }

  /**
   * After a trap in the module (a watchdog reset): the same module starts again in fresh
   * acoustics, with its model and the user's settings. Its counters start from 0.
   */
  restart(): void {
    this.#switchTo(this.#firmware, this.#newAcoustics(this.#firmware));
    if (this.#model) this.#firmware.tryLoadModel(this.#model.blob);
  }

  step(seconds: number): void {
    this.#acoustics?.stepSeconds(seconds);
    const db = this.#firmware.status().attenuationDb;
    if (!Number.isFinite(db)) return;
    this.#recent.push(db);
    if (this.#recent.length > RECENT) this.#recent.shift();
  }

  /** The last few attenuation readings, averaged as residual power, in dB (NaN before any). */
  recentAttenuationDb(): number {
    if (this.#recent.length === 0) return NaN;
    const power = this.#recent.reduce((a, db) => a + 10 ** (-db / 10), 0) / this.#recent.length;
    return -10 * Math.log10(power);
  }

  snapshot(): RuntimeSnapshot {
    const { ancMode, algorithm, intensity } = this.settings.current();
    return {
      firmware: this.#firmware,
      acoustics: this.#acoustics,
      versions: { ...this.settings.versions },
      model: this.#model,
      settings: { ancMode, algorithm, intensity },
    };
  }

  /** Loads a blob into the running module's inactive model slot; the module's code (0 or negative). */
  loadModel(model: RunningModel): number {
    const rc = this.#firmware.tryLoadModel(model.blob);
    if (rc === 0) {
      this.#model = { blob: model.blob.slice(), version: model.version };
      this.settings.setVersions({ ...this.settings.versions, modelVersion: model.version });
    }
    return rc;
  }

  /**
   * Test boot: the candidate module starts in acoustics of its own with the scenario's
   * configuration and the running model, runs `seconds` of sound, and must attenuate at least
   * `minDb` without a stability-guard recovery. The running module is not touched.
   */
  testBoot(candidate: HeadsetFirmware, o: { seconds: number; minDb: number; forceFail?: string }): TrialBoot {
    const refuse = (detail: string): TrialBoot => ({ ok: false, detail, confirm: () => { throw new Error(`cannot confirm a failed test boot: ${detail}`); } });
    if (o.forceFail) return refuse(o.forceFail);
    let acoustics: SteppedAcoustics;
    try {
      acoustics = this.#newAcoustics(candidate);
      if (this.#model) {
        const rc = candidate.tryLoadModel(this.#model.blob);
        if (rc !== 0) return refuse(`the new module refuses the running model (code ${rc})`);
      }
      acoustics.stepSeconds(o.seconds);
    } catch (error) {
      return refuse(`the new module failed to run: ${(error as Error).message}`);
    }
    const s = candidate.status();
    if (s.recoveries > 0) return refuse(`the stability guard recovered ${s.recoveries} time(s) in ${o.seconds} s`);
    if (!(s.attenuationDb >= o.minDb)) return refuse(`attenuation ${s.attenuationDb.toFixed(1)} dB after ${o.seconds} s, below ${o.minDb} dB`);
    const detail = `attenuates ${s.attenuationDb.toFixed(1)} dB after ${o.seconds} s, no recovery`;
    return {
      ok: true,
      detail,
      confirm: (version) => {
        this.#switchTo(candidate, acoustics);
        this.settings.setVersions({ ...this.settings.versions, firmwareVersion: version });
      },
    };
  }

  /** Brings back what ran at `snapshot`: its module (and its acoustics), model, settings and versions. */
  restore(snapshot: RuntimeSnapshot): void {
    if (snapshot.firmware !== this.#firmware) {
      // the old module still holds its model, and its acoustics stood where they were left
      this.#switchTo(snapshot.firmware, snapshot.acoustics ?? this.#newAcoustics(snapshot.firmware));
    } else if (snapshot.model !== this.#model) {
      if (snapshot.model) {
        this.#firmware.tryLoadModel(snapshot.model.blob); // it ran on this very module before
      } else {
        // the module cannot unload a model; a restart (anc_init) forgets it
        this.#switchTo(this.#firmware, this.#newAcoustics(this.#firmware));
      }
    }
    this.#model = snapshot.model;
    this.settings.apply(snapshot.settings);
    this.settings.setVersions(snapshot.versions);
  }

  #switchTo(firmware: HeadsetFirmware, acoustics: SteppedAcoustics): void {
    this.#firmware = firmware;
    this.#acoustics = acoustics;
    this.#recent = [];
    this.settings.moveTo(firmware);
  }

  #newAcoustics(firmware: HeadsetFirmware): SteppedAcoustics {
    return new SteppedAcoustics(firmware, { scenario: this.#scenario, seed: this.#seed });
  }
}

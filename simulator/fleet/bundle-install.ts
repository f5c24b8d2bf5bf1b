// The `applying` step of an over-the-air job, on a verified bundle, and the `rollback` action.
// A firmware-wasm artifact is test-booted (its own acoustics must attenuate without tripping the
// stability guard) and only then confirmed; a model blob is loaded live into the running
// module's inactive model slot; a config-json artifact applies its settings as a shadow delta
// would. Anything refused puts back what ran before, so the headset never runs half a bundle.
// Each install remembers what it replaced, so a `rollback` job can bring it back.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRORS, loadFirmware } from '../../firmware/loader.ts';
import type { JobDocument } from '../../fleet/ota/ota-messages.ts';
import type { ParsedBundle } from '../../host/bundle/parse-bundle.ts';
import { intensityForLoss } from './attenuation-loss.ts';
import type { HeadsetRuntime, RuntimeSnapshot } from './headset-runtime.ts';
import { namesBundle, type HeadsetFaults } from './ota-faults.ts';
import type { HeadsetFirmware } from './stepped-acoustics.ts';

export interface InstallOutcome {
  state: 'succeeded' | 'failed' | 'rolled_back';
  reason?: string;
}

export interface BundleInstallerOptions {
  runtime: HeadsetRuntime;
  /** The device's anti-rollback counter at power-up (default 0). */
  rollbackCounter?: number;
  faults?: HeadsetFaults;
  /** Test boot of a new module: seconds of sound and the attenuation it must reach (default 0.5 s, 6 dB). */
  selfTest?: { seconds: number; minDb: number };
  /** Where new modules are written for the loader (default <tmpdir>/anc-ota-modules). */
  moduleDir?: string;
}

interface Installed {
  artifact: string;
  version: string;
  before: RuntimeSnapshot;
  counterBefore: number;
}

const HISTORY = 4; // installs remembered for rollback (each holds a module instance at most)

export class BundleInstaller {
  #counter: number;
  readonly #history: Installed[] = [];
  readonly #o: BundleInstallerOptions;

  constructor(options: BundleInstallerOptions) {
    this.#o = options;
    this.#counter = options.rollbackCounter ?? 0;
  }

  /** The anti-rollback counter: the highest of the bundles installed, never lowered. */
  get rollbackCounter(): number {
    return this.#counter;
  }

  install(parsed: ParsedBundle, job: JobDocument): InstallOutcome {
    const { runtime } = this.#o;
    const faults = this.#o.faults ?? {};
    const { version, counter } = parsed.manifest;
    const firmware = parsed.artifacts.find((a) => a.entry.type === 'firmware-wasm');
    const models = parsed.artifacts.filter((a) => a.entry.type === 'model-blob');
    const config = parsed.artifacts.find((a) => a.entry.type === 'config-json');
    if (models.length > 1) return { state: 'failed', reason: `the module runs one classifier model; this bundle carries ${models.length}` };
    const failing = (faults.failBundles ?? []).some((name) => namesBundle(name, job));
    const injected = `self-test failed (fault injection: this device fails bundle ${version})`;
    const before = runtime.snapshot();

    if (firmware) {
      let candidate: HeadsetFirmware;
      try {
        candidate = this.#instantiate(firmware.bytes, firmware.entry.sha256);
      } catch (error) {
        return { state: 'rolled_back', reason: clip(`test boot failed: ${(error as Error).message}; the previous firmware keeps running`) };
      }
      const trial = runtime.testBoot(candidate, { ...(this.#o.selfTest ?? { seconds: 0.5, minDb: 6 }), forceFail: failing ? injected : undefined });
      if (!trial.ok) return { state: 'rolled_back', reason: clip(`test boot failed: ${trial.detail}; the previous firmware keeps running`) };
      trial.confirm(version);
    }
    if (models[0]) {
      const rc = runtime.loadModel({ blob: models[0].bytes, version });
      if (rc !== 0) {
        runtime.restore(before);
        return { state: 'failed', reason: clip(`model refused by the module: ${ERRORS[rc] ?? `error ${rc}`} (code ${rc}); the previous model keeps running`) };
      }
    }
    if (config) {
      const problem = this.#applyConfig(config.bytes);
      if (problem) {
        runtime.restore(before);
        return { state: 'failed', reason: clip(problem) };
      }
    }
    if (failing && !firmware) {
      runtime.restore(before);
      return { state: 'rolled_back', reason: `${injected}; the previous version runs again` };
    }
    this.#history.push({ artifact: job.artifact, version, before, counterBefore: this.#counter });
    if (this.#history.length > HISTORY) this.#history.shift();
    this.#counter = Math.max(this.#counter, counter);
    const degrade = faults.degradeBundle;
    if (degrade && namesBundle(degrade.bundle, job)) this.#lowerAttenuation(degrade.lossDb);
    return { state: 'succeeded' };
  }

  /** Goes back to what ran before `job.artifact` was installed. */
  rollback(job: JobDocument): InstallOutcome {
    const last = this.#history[this.#history.length - 1];
    if (!this.#history.some((h) => h.artifact === job.artifact)) {
      return { state: 'rolled_back', reason: `bundle ${job.version} is not installed here: nothing of it runs` };
    }
    if (last!.artifact !== job.artifact) {
      return { state: 'failed', reason: `bundle ${last!.version} was installed over ${job.version}: roll that one back first` };
    }
    if (this.#counter > last!.counterBefore) {
      return { state: 'failed', reason: `bundle ${job.version} raised the anti-rollback counter to ${this.#counter}: the previous version (${last!.counterBefore}) may not run again` };
    }
    this.#o.runtime.restore(last!.before);
    this.#history.pop();
    return { state: 'rolled_back', reason: `rollback requested: bundle ${job.version} removed` };
  }

  /** A config-json artifact: a JSON object of shadow settings (ancMode, algorithm, intensity). */
  #applyConfig(bytes: Uint8Array): string | undefined {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      return 'config-json artifact is not UTF-8 JSON';
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'config-json artifact is not a JSON object';
    const outcome = this.#o.runtime.settings.apply(value as Record<string, unknown>);
    const refused = outcome.refused[0];
    if (refused) return `config ${refused.field} refused by the module: ${refused.message}`;
    return undefined;
  }

  #lowerAttenuation(lossDb: number): void {
    const { runtime } = this.#o;
    const recent = runtime.recentAttenuationDb();
    const measured = Number.isFinite(recent) ? recent : runtime.firmware.status().attenuationDb;
    const intensity = intensityForLoss(measured, runtime.settings.current().intensity, lossDb);
    runtime.settings.apply({ intensity });
  }

  // The loader caches compiled modules by path: name the file by content, so each build is its own.
  #instantiate(wasm: Uint8Array, sha256: string): HeadsetFirmware {
    const dir = this.#o.moduleDir ?? join(tmpdir(), 'anc-ota-modules');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${sha256}.wasm`);
    writeFileSync(path, wasm);
    return loadFirmware({ path });
  }
}

function clip(reason: string): string {
  return reason.length <= 256 ? reason : `${reason.slice(0, 253)}...`;
}

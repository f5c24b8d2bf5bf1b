// Splits a rollout's target into waves and a holdout, deterministically: devices are ordered by
// the SHA-256 of rollout id + device id, so a rollout always plans the same way, while two
// rollouts to the same fleet start on different devices. Incompatible devices, and those that
// already run the bundle's version, are skipped with the reason.
import { createHash } from 'node:crypto';
import { checkCompatibility, type BundleFacts } from './compatibility.ts';
import type { RolloutConfig, WavePlanConfig } from './rollout-config.ts';
import { matchesTarget, type CandidateDevice } from './target-selection.ts';

export interface PlannedWave extends WavePlanConfig {
  devices: string[];
}

export interface RolloutPlan {
  /** Non-empty waves, in order; a configured wave that rounds to no device is left out. */
  waves: PlannedWave[];
  /** Kept on the old version while the health gate compares; released as a last wave at the end. */
  holdout: string[];
  skipped: Array<{ deviceId: string; reason: string }>;
}

export function deviceOrderKey(rolloutId: string, deviceId: string): string {
  return createHash('sha256').update(`${rolloutId}:${deviceId}`).digest('hex');
}

function alreadyRuns(device: CandidateDevice, bundle: BundleFacts): string | undefined {
  const current = bundle.kind === 'model' ? device.modelVersion : bundle.kind === 'firmware' ? device.firmwareVersion : null;
  return current === bundle.version ? `already runs ${bundle.kind} ${bundle.version}` : undefined;
}

export function planRollout(rolloutId: string, candidates: readonly CandidateDevice[], bundle: BundleFacts, config: Pick<RolloutConfig, 'target' | 'compatibility' | 'waves' | 'healthGate'>): RolloutPlan {
  const skipped: RolloutPlan['skipped'] = [];
  const eligible: string[] = [];
  for (const device of candidates) {
    if (!matchesTarget(device, config.target)) continue;
    const compatibility = checkCompatibility(device, bundle, config.compatibility);
    const reason = compatibility.ok ? alreadyRuns(device, bundle) : compatibility.reason;
    if (reason) skipped.push({ deviceId: device.id, reason });
    else eligible.push(device.id);
  }
  const ordered = eligible.map((id) => ({ id, key: deviceOrderKey(rolloutId, id) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((d) => d.id);

  // A holdout needs at least one device on each side to compare.
  const holdoutSize = config.healthGate && ordered.length >= 2 ? Math.min(ordered.length - 1, Math.max(1, Math.ceil((ordered.length * config.healthGate.holdoutPercent) / 100))) : 0;
  const rest = ordered.slice(0, ordered.length - holdoutSize);
  const holdout = ordered.slice(ordered.length - holdoutSize);

  const waves: PlannedWave[] = [];
  let start = 0;
  for (const wave of config.waves) {
    const end = Math.min(rest.length, Math.ceil((rest.length * wave.percent) / 100 - 1e-9));
    if (end > start) waves.push({ ...wave, devices: rest.slice(start, end) });
    start = Math.max(start, end);
  }
  skipped.sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
  return { waves, holdout, skipped };
}

// The compatibility matrix: hardware revision × firmware version × model (format) version. A
// device is offered a bundle only when its hardware revision is in the manifest's `hardware` list
// and some rule of the rollout accepts its current firmware and model versions; otherwise it is
// skipped, with the reason shown in the rollout's inspection.
import type { CompatibilityRule } from './rollout-config.ts';
import type { CandidateDevice } from './target-selection.ts';
import { outsideRange } from './version-order.ts';

/** What the server knows of the bundle from its manifest (the artifacts table). */
export interface BundleFacts {
  kind: string;
  version: string;
  hardware: readonly string[];
}

export type Compatibility = { ok: true } | { ok: false; reason: string };

function ruleProblem(device: CandidateDevice, rule: CompatibilityRule): string | undefined {
  if (rule.hardware && (device.hardwareRevision === null || !rule.hardware.includes(device.hardwareRevision))) {
    return `hardware ${device.hardwareRevision ?? 'unknown'} not in [${rule.hardware.join(', ')}]`;
  }
  if (rule.firmwareVersion) {
    const problem = outsideRange(device.firmwareVersion, rule.firmwareVersion, 'firmware');
    if (problem) return problem;
  }
  if (rule.modelVersion) {
    const problem = outsideRange(device.modelVersion, rule.modelVersion, 'model');
    if (problem) return problem;
  }
  return undefined;
}

export function checkCompatibility(device: CandidateDevice, bundle: BundleFacts, rules: readonly CompatibilityRule[]): Compatibility {
  if (device.hardwareRevision === null) return { ok: false, reason: 'hardware revision unknown' };
  if (!bundle.hardware.includes(device.hardwareRevision)) {
    return { ok: false, reason: `hardware ${device.hardwareRevision} not in the bundle's [${bundle.hardware.join(', ')}]` };
  }
  if (rules.length === 0) return { ok: true };
  const problems = rules.map((rule) => ruleProblem(device, rule));
  if (problems.some((p) => p === undefined)) return { ok: true };
  return { ok: false, reason: problems.length === 1 ? problems[0]! : `no compatibility rule accepts it (${problems.join('; ')})` };
}

// Which devices a rollout's target names: group, tag, explicit ids and filters on the device's
// fields, all of them required at once. Pure over the device records the repository loads.
import type { RolloutTarget } from './rollout-config.ts';
import { outsideRange } from './version-order.ts';

/** The fields of a device that targets and compatibility rules look at. */
export interface CandidateDevice {
  id: string;
  hardwareRevision: string | null;
  firmwareVersion: string | null;
  modelVersion: string | null;
  tags: string[];
  groups: string[];
}

export function matchesTarget(device: CandidateDevice, target: RolloutTarget): boolean {
  if (target.group !== undefined && !device.groups.includes(target.group)) return false;
  if (target.tag !== undefined && !device.tags.includes(target.tag)) return false;
  if (target.devices !== undefined && !target.devices.includes(device.id)) return false;
  if (target.hardwareRevision !== undefined && (device.hardwareRevision === null || !target.hardwareRevision.includes(device.hardwareRevision))) return false;
  if (target.firmwareVersion !== undefined && outsideRange(device.firmwareVersion, target.firmwareVersion, 'firmware') !== undefined) return false;
  if (target.modelVersion !== undefined && outsideRange(device.modelVersion, target.modelVersion, 'model') !== undefined) return false;
  return true;
}

// One telemetry sample (contract 5) from the firmware's own status block, nothing invented:
// noise class and emergency counts are not in the module yet, so those fields are absent.
import type { AncStatus } from '../../firmware/loader.ts';
import type { TelemetryBatch } from '../../fleet/telemetry/telemetry-batch.ts';

export type TelemetrySample = TelemetryBatch['samples'][number];

/** The sample for `status` at device time `t`; undefined while the module has no finite measure yet. */
export function telemetrySample(status: AncStatus, t: number): TelemetrySample | undefined {
  if (!Number.isFinite(status.attenuationDb) || !Number.isFinite(status.errorPower)) return undefined;
  return {
    t: Math.floor(t),
    // the schema's range; the module's estimate can overshoot it for an instant after a reset
    attenuationDb: Math.min(120, Math.max(-60, status.attenuationDb)),
    errorPower: Math.min(1e6, Math.max(0, status.errorPower)),
    recoveries: status.recoveries,
    intensity: Math.min(1, Math.max(0, status.intensity)),
  };
}

// One telemetry sample (contract 5) from the firmware's own status block, nothing invented, and
// the battery level of the headset's power model (headset-power.ts). The noise class needs the
// model's labels, which the module does not hold, so it is absent.
import type { AncStatus } from '../../firmware/loader.ts';
import type { TelemetryBatch } from '../../fleet/telemetry/telemetry-batch.ts';

export type TelemetrySample = TelemetryBatch['samples'][number];

/** The sample for `status` at device time `t`; undefined while the module has no finite measure yet. */
export function telemetrySample(status: AncStatus, t: number, battery?: number): TelemetrySample | undefined {
  if (!Number.isFinite(status.attenuationDb) || !Number.isFinite(status.errorPower)) return undefined;
  return {
    t: Math.floor(t),
    // the schema's range; the module's estimate can overshoot it for an instant after a reset
    attenuationDb: Math.min(120, Math.max(-60, status.attenuationDb)),
    errorPower: Math.min(1e6, Math.max(0, status.errorPower)),
    recoveries: status.recoveries,
    intensity: Math.min(1, Math.max(0, status.intensity)),
    emergencies: status.emergencyEvents,
    ...(battery === undefined ? {} : { battery: Math.round(Math.min(100, Math.max(0, battery)) * 100) / 100 }),
  };
}

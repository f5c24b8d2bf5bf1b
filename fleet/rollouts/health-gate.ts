// The health gate: the updated cohort's telemetry must be no worse than the holdout's, metric by
// metric, within the rollout's tolerances. Inputs are per-group sums over the gate's window (the
// repository aggregates them in SQL); rates are per device-hour so groups of different sizes
// compare. Too few samples on either side is "insufficient", never a pass.
import type { HealthGate } from './rollout-config.ts';

/** Telemetry and events of one group of devices over the gate window. */
export interface GroupHealth {
  devices: number;
  samples: number;
  /** Mean ANC attenuation over all samples, dB (NaN without samples). */
  attenuationDb: number;
  /** Device-hours covered by samples (sum over devices of last - first sample time). */
  hours: number;
  /** Stability-guard recoveries (counter increase, summed over devices). */
  recoveries: number;
  /** Emergency events: in a lab fleet, both groups hear the same scenes, so an excess is false triggers. */
  emergencies: number;
  crashes: number;
  /** Battery percent lost (first - last sample, summed over devices). */
  batteryDrop: number;
}

export interface GateFinding {
  metric: 'attenuationDb' | 'recoveriesPerHour' | 'emergenciesPerHour' | 'crashesPerHour' | 'batteryDrainPerHour';
  cohort: number;
  holdout: number;
  tolerance: number;
  regressed: boolean;
}

export type GateVerdict = { kind: 'pass'; findings: GateFinding[] } | { kind: 'regression'; findings: GateFinding[]; reason: string } | { kind: 'insufficient'; reason: string };

// Rates need some time: an hour's rate from a few seconds of samples would swing wildly in a lab
// run, so a group with under a minute of coverage is compared on counts per device instead.
const MIN_RATE_HOURS = 1 / 60;

function rate(count: number, group: GroupHealth): number {
  return group.hours >= MIN_RATE_HOURS ? count / group.hours : count / Math.max(1, group.devices);
}

export function judgeHealth(gate: HealthGate, cohort: GroupHealth, holdout: GroupHealth): GateVerdict {
  if (cohort.samples < gate.minSamples || holdout.samples < gate.minSamples) {
    return { kind: 'insufficient', reason: `telemetry samples: cohort ${cohort.samples}, holdout ${holdout.samples}, need ${gate.minSamples} each` };
  }
  const t = gate.tolerances;
  // Each finding compares "how bad": higher is worse, so attenuation is negated.
  const findings: GateFinding[] = [
    { metric: 'attenuationDb', cohort: cohort.attenuationDb, holdout: holdout.attenuationDb, tolerance: t.attenuationDb, regressed: cohort.attenuationDb < holdout.attenuationDb - t.attenuationDb },
    ...(
      [
        ['recoveriesPerHour', cohort.recoveries, holdout.recoveries, t.recoveriesPerHour],
        ['emergenciesPerHour', cohort.emergencies, holdout.emergencies, t.emergenciesPerHour],
        ['crashesPerHour', cohort.crashes, holdout.crashes, t.crashesPerHour],
        ['batteryDrainPerHour', cohort.batteryDrop, holdout.batteryDrop, t.batteryDrainPerHour],
      ] as const
    ).map(([metric, c, h, tolerance]) => {
      const cr = rate(c, cohort);
      const hr = rate(h, holdout);
      return { metric, cohort: cr, holdout: hr, tolerance, regressed: cr > hr + tolerance };
    }),
  ];
  const regressed = findings.filter((f) => f.regressed);
  if (regressed.length === 0) return { kind: 'pass', findings };
  const describe = (f: GateFinding) => `${f.metric} ${f.cohort.toFixed(2)} vs holdout ${f.holdout.toFixed(2)} (tolerance ${f.tolerance})`;
  return { kind: 'regression', findings, reason: `health gate: ${regressed.map(describe).join('; ')}` };
}

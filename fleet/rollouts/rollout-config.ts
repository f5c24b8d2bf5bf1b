// What an operator says when creating a rollout (POST /api/v1/rollouts): the artifact, which
// devices, the compatibility rules, the waves and their thresholds, the health gate, the dispatch
// safety rules and the maintenance window. The schema is the single source of the config's type;
// `withDefaults` fills what was left out, so the stored config says exactly what ran.
import { Type, type Static } from '@sinclair/typebox';
import { DeviceId, Tag } from '../devices/device-schemas.ts';
import { GroupName } from '../groups/group-schemas.ts';
import { ARTIFACT_ID_PATTERN } from '../ota/ota-messages.ts';
import { SemVer } from '../shadow/shadow-schema.ts';

const HardwareRevision = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$' });

/** Versions v with `atLeast` <= v < `below` (semver precedence); either bound may be left out. */
export const VersionRange = Type.Object({ atLeast: Type.Optional(SemVer), below: Type.Optional(SemVer) }, { additionalProperties: false });
export type VersionRange = Static<typeof VersionRange>;

/** Every given field must hold (AND). `all: true` targets every device. */
export const RolloutTarget = Type.Object(
  {
    all: Type.Optional(Type.Literal(true)),
    group: Type.Optional(GroupName),
    tag: Type.Optional(Tag),
    devices: Type.Optional(Type.Array(DeviceId, { minItems: 1, maxItems: 10_000, uniqueItems: true })),
    hardwareRevision: Type.Optional(Type.Array(HardwareRevision, { minItems: 1, maxItems: 64 })),
    firmwareVersion: Type.Optional(VersionRange),
    modelVersion: Type.Optional(VersionRange),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type RolloutTarget = Static<typeof RolloutTarget>;

/**
 * One row of the compatibility matrix: the firmware and model versions a device must run for this
 * bundle. The model format a firmware reads is tied to the model version's range, so a row is
 * "hardware × firmware range × model (format) range". A device is compatible when some row holds.
 */
export const CompatibilityRule = Type.Object(
  {
    hardware: Type.Optional(Type.Array(HardwareRevision, { minItems: 1, maxItems: 64 })),
    firmwareVersion: Type.Optional(VersionRange),
    modelVersion: Type.Optional(VersionRange),
  },
  { additionalProperties: false },
);
export type CompatibilityRule = Static<typeof CompatibilityRule>;

const Rate = Type.Number({ minimum: 0, maximum: 1 });

export const WaveConfig = Type.Object(
  {
    /** Cumulative share of the (non-holdout) target this wave brings the rollout to, 0 < p <= 100. */
    percent: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
    /** Successes needed before the wave may advance (capped at the wave's size). */
    minSuccesses: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    /** Largest share of the wave's jobs that may fail or roll back. */
    maxFailureRate: Type.Optional(Rate),
  },
  { additionalProperties: false },
);

const PerHour = Type.Number({ minimum: 0, maximum: 1e6 });

export const HealthGateConfig = Type.Object(
  {
    /** How long the updated cohort runs before it is compared with the holdout. */
    windowMs: Type.Integer({ minimum: 100, maximum: 7 * 86_400_000 }),
    /** Share of the target kept on the old version to compare against (at least one device). */
    holdoutPercent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 50 })),
    /** Telemetry samples each side needs before a verdict; fewer means "wait". */
    minSamples: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    /** How much worse than the holdout the cohort may be before it counts as a regression. */
    tolerances: Type.Optional(
      Type.Object(
        {
          attenuationDb: Type.Optional(Type.Number({ minimum: 0, maximum: 60 })),
          recoveriesPerHour: Type.Optional(PerHour),
          emergenciesPerHour: Type.Optional(PerHour),
          crashesPerHour: Type.Optional(PerHour),
          batteryDrainPerHour: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Rules on the device's reported shadow (docs/ota.md, "Dispatch safety"). */
export const SafetyRules = Type.Object(
  {
    /** `reported.battery` (percent) must be at least this ... */
    minBattery: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** ... unless `reported.charging` is true, when this is set. */
    chargingOverridesBattery: Type.Optional(Type.Boolean()),
    /** `reported.charging` must be true. */
    requireCharging: Type.Optional(Type.Boolean()),
    /** `reported.inCall` must be false. */
    notInCall: Type.Optional(Type.Boolean()),
    /** `reported.ancSession` must be "idle". */
    ancSessionIdle: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SafetyRules = Static<typeof SafetyRules>;

const Minute = Type.Integer({ minimum: 0, maximum: 1439 });
/** Daily UTC window [startMinute, endMinute); wraps past midnight when end < start. */
export const MaintenanceWindow = Type.Object(
  { startMinute: Minute, endMinute: Minute, days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, maxItems: 7, uniqueItems: true })) },
  { additionalProperties: false },
);
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

const Duration = Type.Integer({ minimum: 100, maximum: 30 * 86_400_000 });
export const JobTimeouts = Type.Object(
  {
    /** A job not yet sent (device offline or unsafe) fails after this. */
    queuedMs: Type.Optional(Duration),
    /** A sent job the device never started fails after this. */
    notifiedMs: Type.Optional(Duration),
    /** A started job with no update for this long fails. */
    progressMs: Type.Optional(Duration),
  },
  { additionalProperties: false },
);

export const CreateRolloutBody = Type.Object(
  {
    artifact: Type.String({ pattern: ARTIFACT_ID_PATTERN }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    target: RolloutTarget,
    compatibility: Type.Optional(Type.Array(CompatibilityRule, { minItems: 1, maxItems: 32 })),
    waves: Type.Optional(Type.Array(WaveConfig, { minItems: 1, maxItems: 10 })),
    /** Defaults for every wave that does not set its own. */
    minSuccesses: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    maxFailureRate: Type.Optional(Rate),
    onBreach: Type.Optional(Type.Union([Type.Literal('pause'), Type.Literal('abort')])),
    healthGate: Type.Optional(HealthGateConfig),
    safety: Type.Optional(SafetyRules),
    maintenanceWindow: Type.Optional(MaintenanceWindow),
    timeouts: Type.Optional(JobTimeouts),
    chunkSize: Type.Optional(Type.Integer({ minimum: 256, maximum: 32 * 1024 })),
  },
  { additionalProperties: false },
);
export type CreateRolloutBody = Static<typeof CreateRolloutBody>;

export interface WavePlanConfig {
  percent: number;
  minSuccesses: number;
  maxFailureRate: number;
}

export interface HealthGate {
  windowMs: number;
  holdoutPercent: number;
  minSamples: number;
  tolerances: { attenuationDb: number; recoveriesPerHour: number; emergenciesPerHour: number; crashesPerHour: number; batteryDrainPerHour: number };
}

/** The config as stored and run: every default filled in. */
export interface RolloutConfig {
  artifact: string;
  name: string;
  target: RolloutTarget;
  compatibility: CompatibilityRule[];
  waves: WavePlanConfig[];
  onBreach: 'pause' | 'abort';
  healthGate: HealthGate | null;
  safety: SafetyRules;
  maintenanceWindow: MaintenanceWindow | null;
  timeouts: { queuedMs: number; notifiedMs: number; progressMs: number };
  chunkSize: number;
}

export const DEFAULT_WAVE_PERCENTS = [1, 10, 50, 100] as const;
const HOUR = 3_600_000;

export type ConfigCheck = { ok: true; config: RolloutConfig } | { ok: false; reason: string };

/** Fills defaults and checks what the schema cannot say (wave order, the last wave at 100%). */
export function withDefaults(body: CreateRolloutBody): ConfigCheck {
  const minSuccesses = body.minSuccesses ?? 1;
  const maxFailureRate = body.maxFailureRate ?? 0.1;
  const waves = (body.waves ?? DEFAULT_WAVE_PERCENTS.map((percent) => ({ percent }))).map((w) => ({
    percent: w.percent,
    minSuccesses: 'minSuccesses' in w && w.minSuccesses !== undefined ? w.minSuccesses : minSuccesses,
    maxFailureRate: 'maxFailureRate' in w && w.maxFailureRate !== undefined ? w.maxFailureRate : maxFailureRate,
  }));
  for (let i = 1; i < waves.length; i++) {
    if (waves[i]!.percent <= waves[i - 1]!.percent) return { ok: false, reason: `waves/${i}/percent: must be larger than the wave before (${waves[i - 1]!.percent})` };
  }
  if (waves.at(-1)!.percent !== 100) return { ok: false, reason: `waves/${waves.length - 1}/percent: the last wave must reach 100` };
  const gate = body.healthGate;
  const t = gate?.tolerances ?? {};
  return {
    ok: true,
    config: {
      artifact: body.artifact,
      name: body.name ?? '',
      target: body.target,
      compatibility: body.compatibility ?? [],
      waves,
      onBreach: body.onBreach ?? 'pause',
      healthGate: gate
        ? {
            windowMs: gate.windowMs,
            holdoutPercent: gate.holdoutPercent ?? 10,
            minSamples: gate.minSamples ?? 10,
            tolerances: {
              attenuationDb: t.attenuationDb ?? 1,
              recoveriesPerHour: t.recoveriesPerHour ?? 1,
              emergenciesPerHour: t.emergenciesPerHour ?? 0.5,
              crashesPerHour: t.crashesPerHour ?? 0.1,
              batteryDrainPerHour: t.batteryDrainPerHour ?? 2,
            },
          }
        : null,
      safety: body.safety ?? {},
      maintenanceWindow: body.maintenanceWindow ?? null,
      timeouts: { queuedMs: body.timeouts?.queuedMs ?? 24 * HOUR, notifiedMs: body.timeouts?.notifiedMs ?? HOUR, progressMs: body.timeouts?.progressMs ?? 10 * 60_000 },
      chunkSize: body.chunkSize ?? 16 * 1024,
    },
  };
}

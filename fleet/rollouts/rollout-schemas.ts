// Response schemas of the rollout routes and the views that fill them from rows.
import { Type, type Static } from '@sinclair/typebox';
import type { RolloutRow } from '../db/tables/rollouts.ts';
import { JOB_STATES } from '../ota/ota-messages.ts';
import type { JobWithHistory } from './job-repository.ts';
import type { StoredWave } from './rollout-creation.ts';

const Timestamp = Type.String({ format: 'date-time' });
const StateCounts = Type.Record(Type.String(), Type.Integer(), { description: `jobs per state (${JOB_STATES.join(', ')})` });

export const RolloutStatus = Type.Union(['running', 'paused', 'completed', 'aborted', 'cancelled'].map((s) => Type.Literal(s)));

export const RolloutSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  artifact: Type.String(),
  status: RolloutStatus,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  currentWave: Type.Integer({ description: 'index into waves' }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const WaveProgress = Type.Object({
  index: Type.Integer(),
  percent: Type.Number(),
  holdout: Type.Boolean({ description: "the holdout's release, after every other wave passed" }),
  size: Type.Integer(),
  minSuccesses: Type.Integer(),
  maxFailureRate: Type.Number(),
  states: StateCounts,
  rollbacks: StateCounts,
});

export const RolloutDetail = Type.Composite([
  RolloutSummary,
  Type.Object({
    config: Type.Object({}, { additionalProperties: true, description: 'the config as run, defaults filled in' }),
    waves: Type.Array(WaveProgress),
    states: StateCounts,
    holdoutDevices: Type.Integer(),
    gate: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: 'the last health-gate verdict, with findings per metric' }),
    gateStartedAt: Type.Union([Timestamp, Type.Null()]),
    skipped: Type.Array(Type.Object({ deviceId: Type.String(), reason: Type.String() })),
  }),
]);
export type RolloutDetail = Static<typeof RolloutDetail>;

export function rolloutSummary(row: RolloutRow): Static<typeof RolloutSummary> {
  return {
    id: row.id,
    name: row.name,
    artifact: row.artifact_id,
    status: row.status,
    statusReason: row.status_reason,
    currentWave: row.current_wave,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function rolloutDetail(
  row: RolloutRow,
  counts: ReadonlyArray<{ wave: number; action: string; state: string; count: number }>,
  holdoutDevices: number,
  skipped: ReadonlyArray<{ deviceId: string; reason: string | null }>,
): RolloutDetail {
  const states: Record<string, number> = {};
  const waves = (row.waves as unknown as StoredWave[]).map((w, index) => ({
    index,
    percent: w.percent,
    holdout: w.holdout === true,
    size: w.size,
    minSuccesses: w.minSuccesses,
    maxFailureRate: w.maxFailureRate,
    states: {} as Record<string, number>,
    rollbacks: {} as Record<string, number>,
  }));
  for (const c of counts) {
    const wave = waves[c.wave];
    if (!wave) continue;
    const bucket = c.action === 'rollback' ? wave.rollbacks : wave.states;
    bucket[c.state] = (bucket[c.state] ?? 0) + c.count;
    if (c.action === 'install') states[c.state] = (states[c.state] ?? 0) + c.count;
  }
  return {
    ...rolloutSummary(row),
    config: row.config,
    waves,
    states,
    holdoutDevices,
    gate: row.gate_result,
    gateStartedAt: row.gate_started_at?.toISOString() ?? null,
    skipped: skipped.map((s) => ({ deviceId: s.deviceId, reason: s.reason ?? '' })),
  };
}

const HistoryEntry = Type.Object({ state: Type.String(), reason: Type.Union([Type.String(), Type.Null()]), offset: Type.Union([Type.Integer(), Type.Null()]), at: Timestamp });
export const DeviceJob = Type.Object({
  id: Type.String(),
  rolloutId: Type.String(),
  action: Type.String(),
  wave: Type.Integer(),
  state: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  offset: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  history: Type.Array(HistoryEntry),
});

export function deviceJobView(job: JobWithHistory): Static<typeof DeviceJob> {
  return {
    ...job,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    history: job.history.map((h) => ({ ...h, at: h.at.toISOString() })),
  };
}

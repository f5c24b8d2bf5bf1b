// Rollouts and their planned membership in the database. Plain functions over `db` or a
// transaction; the service opens transactions and locks a rollout row while it decides, so
// several fleet nodes running the same tick cannot advance one rollout twice.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { RolloutRow, RolloutStatus } from '../db/tables/rollouts.ts';
import { UNFINISHED_STATES } from './job-state.ts';
import type { CandidateDevice } from './target-selection.ts';

type Db = Kysely<Database> | Transaction<Database>;

const INSERT_CHUNK = 500;

/** Every device with its groups, as the target and compatibility checks see them. */
export async function loadCandidates(db: Db): Promise<CandidateDevice[]> {
  const rows = await db
    .selectFrom('devices')
    .select(['id', 'hardware_revision', 'firmware_version', 'model_version', 'tags'])
    .select(sql<string[] | null>`(select json_agg(g.group_name) from device_groups g where g.device_id = devices.id)`.as('group_names'))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    hardwareRevision: r.hardware_revision,
    firmwareVersion: r.firmware_version,
    modelVersion: r.model_version,
    tags: r.tags,
    groups: r.group_names ?? [],
  }));
}

export interface NewRollout {
  id: string;
  artifactId: string;
  name: string;
  config: object;
  waves: object[];
  createdBy: string | null;
  at: Date;
}

export async function insertRollout(db: Db, rollout: NewRollout): Promise<void> {
  await db
    .insertInto('rollouts')
    .values({
      id: rollout.id,
      artifact_id: rollout.artifactId,
      name: rollout.name,
      status: 'running',
      config: JSON.stringify(rollout.config),
      waves: JSON.stringify(rollout.waves),
      created_by: rollout.createdBy,
      created_at: rollout.at,
      updated_at: rollout.at,
    })
    .execute();
}

export interface Membership {
  deviceId: string;
  role: 'wave' | 'holdout' | 'skipped';
  wave: number | null;
  reason: string | null;
}

export async function insertMemberships(db: Db, rolloutId: string, members: readonly Membership[]): Promise<void> {
  for (let i = 0; i < members.length; i += INSERT_CHUNK) {
    const chunk = members.slice(i, i + INSERT_CHUNK);
    await db
      .insertInto('rollout_devices')
      .values(chunk.map((m) => ({ rollout_id: rolloutId, device_id: m.deviceId, role: m.role, wave: m.wave, reason: m.reason })))
      .execute();
  }
}

export async function findRollout(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<RolloutRow | undefined> {
  let q = db.selectFrom('rollouts').selectAll().where('id', '=', id);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function listRollouts(db: Db, filter: { status?: RolloutStatus; beforeId?: string; limit: number }): Promise<RolloutRow[]> {
  let q = db.selectFrom('rollouts').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.beforeId) {
    const before = filter.beforeId;
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', eb.selectFrom('rollouts').select('created_at').where('id', '=', before)),
        eb.and([eb('created_at', '=', eb.selectFrom('rollouts').select('created_at').where('id', '=', before)), eb('id', '<', before)]),
      ]),
    );
  }
  return q.execute();
}

export interface RolloutChange {
  status?: RolloutStatus;
  statusReason?: string | null;
  currentWave?: number;
  gateStartedAt?: Date | null;
  gateResult?: object | null;
  acceptedWave?: number | null;
}

export async function updateRollout(db: Db, id: string, change: RolloutChange, at: Date): Promise<void> {
  await db
    .updateTable('rollouts')
    .set({
      updated_at: at,
      ...(change.status !== undefined ? { status: change.status } : {}),
      ...(change.statusReason !== undefined ? { status_reason: change.statusReason } : {}),
      ...(change.currentWave !== undefined ? { current_wave: change.currentWave } : {}),
      ...(change.gateStartedAt !== undefined ? { gate_started_at: change.gateStartedAt } : {}),
      ...(change.gateResult !== undefined ? { gate_result: change.gateResult === null ? null : JSON.stringify(change.gateResult) } : {}),
      ...(change.acceptedWave !== undefined ? { accepted_wave: change.acceptedWave } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Rollouts the tick must look at: running ones, and any with jobs still out (timeouts, rollbacks). */
export async function rolloutsToTick(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('rollouts')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('status', '=', 'running'),
        eb.exists(eb.selectFrom('jobs').select('jobs.id').whereRef('jobs.rollout_id', '=', 'rollouts.id').where('jobs.state', 'in', [...UNFINISHED_STATES])),
      ]),
    )
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.id);
}

export async function devicesOfWave(db: Db, rolloutId: string, wave: number): Promise<string[]> {
  const rows = await db.selectFrom('rollout_devices').select('device_id').where('rollout_id', '=', rolloutId).where('wave', '=', wave).where('role', '!=', 'skipped').orderBy('device_id').execute();
  return rows.map((r) => r.device_id);
}

export async function devicesWithRole(db: Db, rolloutId: string, role: Membership['role']): Promise<Array<{ deviceId: string; reason: string | null }>> {
  const rows = await db.selectFrom('rollout_devices').select(['device_id', 'reason']).where('rollout_id', '=', rolloutId).where('role', '=', role).orderBy('device_id').execute();
  return rows.map((r) => ({ deviceId: r.device_id, reason: r.reason }));
}

/** Jobs per wave, action and state: the rollout's progress. */
export async function jobCounts(db: Db, rolloutId: string): Promise<Array<{ wave: number; action: string; state: string; count: number }>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['wave', 'action', 'state'])
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('rollout_id', '=', rolloutId)
    .groupBy(['wave', 'action', 'state'])
    .execute();
  return rows.map((r) => ({ wave: r.wave, action: r.action, state: r.state, count: Number(r.n) }));
}

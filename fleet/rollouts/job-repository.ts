// Per-device jobs and their history. Every state change is a compare-and-set on the state the
// caller read (and, for progress within a state, on the device time), plus a history row, so a
// job moves once however many nodes or redeliveries race on it.
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { JobRow } from '../db/tables/rollouts.ts';
import type { JobDocument, JobState } from '../ota/ota-messages.ts';
import { ACTIVE_STATES, type JobAction } from './job-state.ts';

type Db = Kysely<Database> | Transaction<Database>;

const INSERT_CHUNK = 500;

export function newJobId(): string {
  return `j-${randomBytes(8).toString('hex')}`;
}

export async function insertJobs(db: Db, rolloutId: string, jobs: ReadonlyArray<{ deviceId: string; action: JobAction; wave: number }>, at: Date): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < jobs.length; i += INSERT_CHUNK) {
    const chunk = jobs.slice(i, i + INSERT_CHUNK);
    // One job per device and action: a tick that races another node inserts nothing twice.
    const rows = await db
      .insertInto('jobs')
      .values(chunk.map((j) => ({ id: newJobId(), rollout_id: rolloutId, device_id: j.deviceId, action: j.action, wave: j.wave, state: 'queued', created_at: at, state_since: at, updated_at: at })))
      .onConflict((oc) => oc.columns(['rollout_id', 'device_id', 'action']).doNothing())
      .returning(['id'])
      .execute();
    if (rows.length > 0) await db.insertInto('job_history').values(rows.map((r) => ({ job_id: r.id, state: 'queued', at }))).execute();
    inserted += rows.length;
  }
  return inserted;
}

export async function findJob(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<JobRow | undefined> {
  let q = db.selectFrom('jobs').selectAll().where('id', '=', id);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export interface JobTransition {
  state: JobState;
  reason?: string | null;
  offset?: number | null;
  deviceT?: number;
}

/** Moves the job if it is still in `from`; false when someone else moved it first. */
export async function transitionJob(db: Db, id: string, from: JobState, to: JobTransition, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({
      state: to.state,
      updated_at: at,
      ...(to.state !== from ? { state_since: at } : {}),
      ...(to.reason !== undefined ? { reason: to.reason } : {}),
      ...(to.offset !== undefined ? { progress_offset: to.offset } : {}),
      ...(to.deviceT !== undefined ? { device_t: to.deviceT } : {}),
    })
    .where('id', '=', id)
    .where('state', '=', from)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await db
    .insertInto('job_history')
    .values({ job_id: id, state: to.state, reason: to.reason ?? null, progress_offset: to.offset ?? null, device_t: to.deviceT ?? null, at })
    .execute();
  return true;
}

/** A refused device update, kept in the job's history with the state unchanged. */
export async function recordRefusedUpdate(db: Db, id: string, state: JobState, reason: string, at: Date): Promise<void> {
  await db.insertInto('job_history').values({ job_id: id, state, reason: `refused update: ${reason}`, at }).execute();
}

export interface JobBrief {
  id: string;
  deviceId: string;
  action: JobAction;
  wave: number;
  state: JobState;
  stateSince: Date;
}

export async function jobsOfRollout(db: Db, rolloutId: string): Promise<JobBrief[]> {
  const rows = await db.selectFrom('jobs').select(['id', 'device_id', 'action', 'wave', 'state', 'state_since']).where('rollout_id', '=', rolloutId).execute();
  return rows.map((r) => ({ id: r.id, deviceId: r.device_id, action: r.action, wave: r.wave, state: r.state as JobState, stateSince: r.state_since }));
}

/** Queued jobs of a rollout whose device is online (or is `deviceId`), with its reported shadow. */
export async function queuedJobsWithState(db: Db, filter: { rolloutId?: string; deviceId?: string }): Promise<Array<{ id: string; rolloutId: string; deviceId: string; action: JobAction; reported: Record<string, unknown> }>> {
  let q = db
    .selectFrom('jobs')
    .innerJoin('devices', 'devices.id', 'jobs.device_id')
    .leftJoin('shadows', 'shadows.device_id', 'jobs.device_id')
    .select(['jobs.id', 'jobs.rollout_id', 'jobs.device_id', 'jobs.action', 'shadows.reported'])
    .where('jobs.state', '=', 'queued')
    .orderBy('jobs.created_at')
    .orderBy('jobs.id');
  if (filter.rolloutId) q = q.where('jobs.rollout_id', '=', filter.rolloutId);
  // A device that just subscribed is connected even if its presence write has not landed yet.
  q = filter.deviceId ? q.where('jobs.device_id', '=', filter.deviceId) : q.where('devices.online', '=', true);
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, rolloutId: r.rollout_id, deviceId: r.device_id, action: r.action, reported: (r.reported as Record<string, unknown> | null) ?? {} }));
}

/** The `jobs/notify` list: the device's jobs that were sent and are not finished, oldest first. */
export async function notifyList(db: Db, deviceId: string, maxJobs: number): Promise<JobDocument[]> {
  const rows = await db
    .selectFrom('jobs')
    .innerJoin('rollouts', 'rollouts.id', 'jobs.rollout_id')
    .innerJoin('artifacts', 'artifacts.id', 'rollouts.artifact_id')
    .select(['jobs.id', 'jobs.rollout_id', 'jobs.action', 'artifacts.id as artifact', 'artifacts.size', 'artifacts.kind', 'artifacts.version', 'rollouts.config'])
    .where('jobs.device_id', '=', deviceId)
    .where('jobs.state', 'in', [...ACTIVE_STATES])
    .orderBy('jobs.created_at')
    .orderBy('jobs.id')
    .limit(maxJobs)
    .execute();
  return rows.map((r) => ({
    jobId: r.id,
    rolloutId: r.rollout_id,
    action: r.action,
    artifact: r.artifact,
    size: Number(r.size),
    sha256: r.artifact,
    kind: r.kind as JobDocument['kind'],
    version: r.version,
    chunkSize: Number((r.config as { chunkSize?: number }).chunkSize ?? 16 * 1024),
  }));
}

/** The chunk server's question: does this device have an unfinished job for this artifact? */
export async function hasActiveJobFor(db: Db, deviceId: string, artifactId: string): Promise<boolean> {
  const row = await db
    .selectFrom('jobs')
    .innerJoin('rollouts', 'rollouts.id', 'jobs.rollout_id')
    .select('jobs.id')
    .where('jobs.device_id', '=', deviceId)
    .where('rollouts.artifact_id', '=', artifactId)
    .where('jobs.action', '=', 'install')
    .where('jobs.state', 'in', [...ACTIVE_STATES])
    .executeTakeFirst();
  return row !== undefined;
}

/** Cancels the rollout's install jobs the devices have not started; returns the devices touched. */
export async function cancelUnstartedJobs(db: Db, rolloutId: string, reason: string, at: Date): Promise<string[]> {
  const rows = await db
    .updateTable('jobs')
    .set({ state: 'cancelled', reason, state_since: at, updated_at: at })
    .where('rollout_id', '=', rolloutId)
    .where('action', '=', 'install')
    .where('state', 'in', ['queued', 'notified'])
    .returning(['id', 'device_id'])
    .execute();
  if (rows.length > 0) await db.insertInto('job_history').values(rows.map((r) => ({ job_id: r.id, state: 'cancelled', reason, at }))).execute();
  return rows.map((r) => r.device_id);
}

export interface JobWithHistory {
  id: string;
  rolloutId: string;
  action: JobAction;
  wave: number;
  state: string;
  reason: string | null;
  offset: number | null;
  createdAt: Date;
  updatedAt: Date;
  history: Array<{ state: string; reason: string | null; offset: number | null; at: Date }>;
}

export async function jobsOfDevice(db: Db, deviceId: string, limit: number): Promise<JobWithHistory[]> {
  const jobs = await db.selectFrom('jobs').selectAll().where('device_id', '=', deviceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  if (jobs.length === 0) return [];
  const history = await db
    .selectFrom('job_history')
    .select(['job_id', 'state', 'reason', 'progress_offset', 'at'])
    .where('job_id', 'in', jobs.map((j) => j.id))
    .orderBy('id')
    .execute();
  return jobs.map((j) => ({
    id: j.id,
    rolloutId: j.rollout_id,
    action: j.action,
    wave: j.wave,
    state: j.state,
    reason: j.reason,
    offset: j.progress_offset === null ? null : Number(j.progress_offset),
    createdAt: j.created_at,
    updatedAt: j.updated_at,
    history: history.filter((h) => h.job_id === j.id).map((h) => ({ state: h.state, reason: h.reason, offset: h.progress_offset === null ? null : Number(h.progress_offset), at: h.at })),
  }));
}

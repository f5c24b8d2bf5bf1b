// One evaluation of one rollout, inside a transaction that holds the rollout's row lock: time out
// stuck jobs, start the current wave's jobs, judge the wave and the health gate (advance, pause,
// abort, roll back), and move the jobs that may be sent now from queued to notified. Returns the
// devices whose `jobs/notify` list changed; the caller publishes after commit.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { RolloutRow } from '../db/tables/rollouts.ts';
import { checkSafety, inMaintenanceWindow } from './dispatch-safety.ts';
import { judgeHealth, type GateVerdict } from './health-gate.ts';
import { groupHealth } from './health-repository.ts';
import { cancelUnstartedJobs, insertJobs, jobsOfRollout, queuedJobsWithState, transitionJob, type JobBrief } from './job-repository.ts';
import { ACTIVE_STATES, isTerminal, timeoutReason } from './job-state.ts';
import type { RolloutConfig } from './rollout-config.ts';
import type { StoredWave } from './rollout-creation.ts';
import { devicesOfWave, devicesWithRole, findRollout, updateRollout } from './rollout-repository.ts';
import { judgeWave, type WaveCounts } from './wave-verdict.ts';

type Trx = Transaction<Database>;

/** A gate short of telemetry waits this many windows before the rollout pauses. */
const GATE_PATIENCE_WINDOWS = 3;

export interface TickContext {
  db: Kysely<Database>;
  now: number;
}

function countWave(jobs: readonly JobBrief[], wave: number, size: number): WaveCounts {
  const counts: WaveCounts = { size, succeeded: 0, failed: 0, cancelled: 0 };
  for (const job of jobs) {
    if (job.wave !== wave || job.action !== 'install') continue;
    if (job.state === 'succeeded') counts.succeeded++;
    else if (job.state === 'failed' || job.state === 'rolled_back') counts.failed++;
    else if (job.state === 'cancelled') counts.cancelled++;
  }
  return counts;
}

function isActive(state: string): boolean {
  return (ACTIVE_STATES as readonly string[]).includes(state);
}

async function timeOutStuckJobs(trx: Trx, rollout: RolloutRow, config: RolloutConfig, jobs: JobBrief[], at: Date, touched: Set<string>): Promise<void> {
  for (const job of jobs) {
    if (isTerminal(job.state)) continue;
    // A paused rollout holds its queued installs; they only age while the rollout runs.
    if (job.state === 'queued' && job.action === 'install' && rollout.status !== 'running') continue;
    const reason = timeoutReason(job.state, job.stateSince.getTime(), at.getTime(), config.timeouts);
    if (reason && (await transitionJob(trx, job.id, job.state, { state: 'failed', reason }, at))) {
      if (isActive(job.state)) touched.add(job.deviceId);
      job.state = 'failed';
    }
  }
}

async function startWave(trx: Trx, rolloutId: string, wave: number, at: Date): Promise<void> {
  const devices = await devicesOfWave(trx, rolloutId, wave);
  await insertJobs(trx, rolloutId, devices.map((deviceId) => ({ deviceId, action: 'install' as const, wave })), at);
}

async function rollBackCohort(trx: Trx, rolloutId: string, jobs: readonly JobBrief[], at: Date): Promise<void> {
  const hasRollback = new Set(jobs.filter((j) => j.action === 'rollback').map((j) => j.deviceId));
  const cohort = jobs.filter((j) => j.action === 'install' && j.state === 'succeeded' && !hasRollback.has(j.deviceId));
  await insertJobs(trx, rolloutId, cohort.map((j) => ({ deviceId: j.deviceId, action: 'rollback' as const, wave: j.wave })), at);
}

async function runGate(ctx: TickContext, trx: Trx, rollout: RolloutRow, config: RolloutConfig, jobs: readonly JobBrief[]): Promise<GateVerdict> {
  const from = rollout.gate_started_at!;
  const to = new Date(ctx.now);
  const cohort = jobs.filter((j) => j.action === 'install' && j.state === 'succeeded').map((j) => j.deviceId);
  const holdout = (await devicesWithRole(trx, rollout.id, 'holdout')).map((d) => d.deviceId);
  const [cohortHealth, holdoutHealth] = [await groupHealth(trx, cohort, from, to), await groupHealth(trx, holdout, from, to)];
  return judgeHealth(config.healthGate!, cohortHealth, holdoutHealth);
}

/** Judges the current wave and acts on the verdict; only for a running rollout. */
async function advance(ctx: TickContext, trx: Trx, rollout: RolloutRow, config: RolloutConfig, jobs: JobBrief[], touched: Set<string>): Promise<void> {
  const at = new Date(ctx.now);
  const waves = rollout.waves as unknown as StoredWave[];
  const current = rollout.current_wave;
  const wave = waves[current]!;
  if (!jobs.some((j) => j.wave === current && j.action === 'install')) {
    await startWave(trx, rollout.id, current, at);
    return;
  }
  let verdict = judgeWave(wave, countWave(jobs, current, wave.size));
  if (verdict.kind === 'breach' && rollout.accepted_wave === current) {
    verdict = jobs.some((j) => j.wave === current && j.action === 'install' && !isTerminal(j.state)) ? { kind: 'waiting' } : { kind: 'passed' };
  }
  if (verdict.kind === 'waiting') return;
  if (verdict.kind === 'breach') {
    const reason = `wave ${current + 1}: ${verdict.reason}`;
    if (config.onBreach === 'pause') return updateRollout(trx, rollout.id, { status: 'paused', statusReason: reason }, at);
    for (const device of await cancelUnstartedJobs(trx, rollout.id, 'rollout aborted', at)) touched.add(device);
    return updateRollout(trx, rollout.id, { status: 'aborted', statusReason: reason }, at);
  }
  // Passed. The health gate follows every wave but the holdout's own release.
  const gated = config.healthGate !== null && !wave.holdout && waves.some((w) => w.holdout);
  if (gated) {
    if (!rollout.gate_started_at) return updateRollout(trx, rollout.id, { gateStartedAt: at }, at);
    const elapsed = ctx.now - rollout.gate_started_at.getTime();
    if (elapsed < config.healthGate!.windowMs) return;
    const gate = await runGate(ctx, trx, rollout, config, jobs);
    const gateResult = { wave: current, at: at.toISOString(), ...gate };
    if (gate.kind === 'insufficient') {
      if (elapsed < GATE_PATIENCE_WINDOWS * config.healthGate!.windowMs) return updateRollout(trx, rollout.id, { gateResult }, at);
      return updateRollout(trx, rollout.id, { status: 'paused', statusReason: `health gate: ${gate.reason}`, gateResult }, at);
    }
    if (gate.kind === 'regression') {
      for (const device of await cancelUnstartedJobs(trx, rollout.id, 'rollout aborted', at)) touched.add(device);
      await rollBackCohort(trx, rollout.id, jobs, at);
      return updateRollout(trx, rollout.id, { status: 'aborted', statusReason: gate.reason, gateResult }, at);
    }
    await updateRollout(trx, rollout.id, { gateResult }, at);
  }
  if (current === waves.length - 1) return updateRollout(trx, rollout.id, { status: 'completed', statusReason: null, gateStartedAt: null }, at);
  await updateRollout(trx, rollout.id, { currentWave: current + 1, gateStartedAt: null }, at);
  await startWave(trx, rollout.id, current + 1, at);
}

/** queued → notified for the jobs that may go now. */
async function dispatch(trx: Trx, rollout: RolloutRow, config: RolloutConfig, now: number, touched: Set<string>, deviceId?: string): Promise<void> {
  const inWindow = inMaintenanceWindow(config.maintenanceWindow, now);
  if (!inWindow) return;
  const at = new Date(now);
  for (const job of await queuedJobsWithState(trx, { rolloutId: rollout.id, deviceId })) {
    // Installs go only while the rollout runs; rollbacks of an aborted rollout still go out.
    if (job.action === 'install' && rollout.status !== 'running') continue;
    if (!checkSafety(job.reported, config.safety).ok) continue;
    if (await transitionJob(trx, job.id, 'queued', { state: 'notified' }, at)) touched.add(job.deviceId);
  }
}

export async function tickRollout(ctx: TickContext, rolloutId: string): Promise<Set<string>> {
  return ctx.db.transaction().execute(async (trx) => {
    const touched = new Set<string>();
    const at = new Date(ctx.now);
    let rollout = await findRollout(trx, rolloutId, { forUpdate: true });
    if (!rollout) return touched;
    const config = rollout.config as unknown as RolloutConfig;
    const jobs = await jobsOfRollout(trx, rolloutId);
    await timeOutStuckJobs(trx, rollout, config, jobs, at, touched);
    if (rollout.status === 'running') {
      await advance(ctx, trx, rollout, config, jobs, touched);
      rollout = (await findRollout(trx, rolloutId))!;
    } else if (rollout.status === 'aborted' && (rollout.gate_result as { kind?: string } | null)?.kind === 'regression') {
      // Installs that finished after the abort are rolled back too.
      await rollBackCohort(trx, rolloutId, jobs, at);
    }
    await dispatch(trx, rollout, config, ctx.now, touched);
    return touched;
  });
}

/** A device just subscribed to its jobs: send what may go now, whatever rollout it belongs to. */
export async function dispatchForDevice(ctx: TickContext, deviceId: string): Promise<void> {
  const queued = await queuedJobsWithState(ctx.db, { deviceId });
  for (const rolloutId of new Set(queued.map((j) => j.rolloutId))) {
    await ctx.db.transaction().execute(async (trx) => {
      const rollout = await findRollout(trx, rolloutId, { forUpdate: true });
      if (rollout) await dispatch(trx, rollout, rollout.config as unknown as RolloutConfig, ctx.now, new Set(), deviceId);
    });
  }
}

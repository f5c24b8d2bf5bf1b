// The job state machine of docs/ota.md. The server moves jobs to `notified`, `cancelled`, and to
// `failed` on a timeout; the device reports the rest. Device updates only move a job forward:
// an update for an earlier state is stale (QoS 1 redelivery, reordering) and one for the same
// state that does not move the download offset is a duplicate; both are ignored, not errors.
import type { DeviceJobState, JobState, JobUpdate } from '../ota/ota-messages.ts';

export type JobAction = 'install' | 'rollback';

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'rolled_back', 'cancelled']);
/** Jobs the device is told about (the `jobs/notify` list) and that may fetch chunks. */
export const ACTIVE_STATES = ['notified', 'downloading', 'verifying', 'applying'] as const satisfies readonly JobState[];
export const UNFINISHED_STATES = ['queued', ...ACTIVE_STATES] as const satisfies readonly JobState[];

const RANK: Record<JobState, number> = { queued: 0, notified: 1, downloading: 2, verifying: 3, applying: 4, succeeded: 5, failed: 5, rolled_back: 5, cancelled: 5 };

export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.has(state);
}

export interface JobSnapshot {
  state: JobState;
  action: JobAction;
  /** Device time of the last update applied (ms), 0 before any. */
  deviceT: number;
  offset: number | null;
}

export type UpdateDecision =
  | { kind: 'apply'; state: DeviceJobState; offset: number | null; reason: string | null }
  | { kind: 'ignore'; why: string }
  | { kind: 'reject'; reason: string };

export function decideUpdate(job: JobSnapshot, update: JobUpdate): UpdateDecision {
  if (job.state === 'queued') return { kind: 'reject', reason: 'the job was not sent to the device yet' };
  if (isTerminal(job.state)) {
    return { kind: 'ignore', why: job.state === update.state ? 'duplicate' : `job already ${job.state}` };
  }
  // The contract's literal unions are typed as plain strings (ota-messages.ts builds them with map).
  const next = update.state as DeviceJobState;
  if (job.action === 'rollback' && next === 'succeeded') return { kind: 'reject', reason: 'a rollback job ends in rolled_back or failed' };
  const offset = update.offset ?? job.offset;
  if (RANK[next] < RANK[job.state]) return { kind: 'ignore', why: `stale: ${next} after ${job.state}` };
  if (next === job.state) {
    // Progress within a state (download offsets) is applied when it moves; device clocks may
    // stand still (or be reset), so `t` alone decides nothing here.
    if ((update.offset ?? -1) <= (job.offset ?? -1)) return { kind: 'ignore', why: 'duplicate' };
    return { kind: 'apply', state: next, offset, reason: null };
  }
  const failedOutcome = next === 'failed' || next === 'rolled_back';
  return { kind: 'apply', state: next, offset, reason: update.reason ?? (failedOutcome ? 'no reason given' : null) };
}

export interface JobTimeouts {
  queuedMs: number;
  notifiedMs: number;
  progressMs: number;
}

/** Why a job that has been in its state since `since` (server clock) has timed out, if it has. */
export function timeoutReason(state: JobState, since: number, now: number, timeouts: JobTimeouts): string | undefined {
  const limit = state === 'queued' ? timeouts.queuedMs : state === 'notified' ? timeouts.notifiedMs : isTerminal(state) ? undefined : timeouts.progressMs;
  if (limit === undefined || now - since < limit) return undefined;
  return `timed out: no progress in ${state} for ${limit} ms`;
}

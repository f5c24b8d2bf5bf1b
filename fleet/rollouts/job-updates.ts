// A device's report on `jobs/<jobId>/update`: validated against the JobUpdate schema, checked
// against the job's state machine inside a transaction that locks the job row, stored with a
// history row, and the device's versions updated from `running`. Refused updates are kept in the
// job's history (when the job is the device's) and answered to the caller with the reason.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { JobUpdate, type JobState } from '../ota/ota-messages.ts';
import { findJob, recordRefusedUpdate, transitionJob } from './job-repository.ts';
import { decideUpdate, isTerminal, type JobAction } from './job-state.ts';

const checker = TypeCompiler.Compile(JobUpdate);

export type JobUpdateOutcome =
  | { kind: 'applied'; rolloutId: string; state: JobState; finished: boolean }
  | { kind: 'ignored'; why: string }
  | { kind: 'refused'; reason: string };

export async function applyJobUpdate(db: Kysely<Database>, deviceId: string, jobId: string, payload: unknown, now: number): Promise<JobUpdateOutcome> {
  const at = new Date(now);
  return db.transaction().execute(async (trx) => {
    const job = await findJob(trx, jobId, { forUpdate: true });
    // Another device's job is answered exactly like a missing one: ids are not an oracle.
    if (!job || job.device_id !== deviceId) return { kind: 'refused', reason: `no job ${jobId} for this device` } as const;
    const state = job.state as JobState;
    if (!checker.Check(payload)) {
      const error = checker.Errors(payload).First();
      const reason = error ? `${error.path || '/'}: ${error.message}` : 'invalid job update';
      await recordRefusedUpdate(trx, jobId, state, reason, at);
      return { kind: 'refused', reason } as const;
    }
    const decision = decideUpdate({ state, action: job.action as JobAction, deviceT: Number(job.device_t), offset: job.progress_offset === null ? null : Number(job.progress_offset) }, payload);
    if (decision.kind === 'reject') {
      await recordRefusedUpdate(trx, jobId, state, decision.reason, at);
      return { kind: 'refused', reason: decision.reason } as const;
    }
    if (decision.kind === 'ignore') return { kind: 'ignored', why: decision.why } as const;
    await transitionJob(trx, jobId, state, { state: decision.state, reason: decision.reason, offset: decision.offset, deviceT: payload.t }, at);
    const running = payload.running;
    if (running && (running.firmwareVersion || running.modelVersion) && (decision.state === 'succeeded' || decision.state === 'rolled_back')) {
      await trx
        .updateTable('devices')
        .set({
          ...(running.firmwareVersion ? { firmware_version: running.firmwareVersion } : {}),
          ...(running.modelVersion ? { model_version: running.modelVersion } : {}),
        })
        .where('id', '=', deviceId)
        .execute();
    }
    return { kind: 'applied', rolloutId: job.rollout_id, state: decision.state, finished: isTerminal(decision.state) } as const;
  });
}

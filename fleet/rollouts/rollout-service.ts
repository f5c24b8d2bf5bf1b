// The rollout dispatcher, handed its I/O (database, publish, clock). Every decision reads and
// writes the database, so any fleet node can run it for any device: the node holding a device's
// connection handles its job updates, every node ticks, and a rollout's row lock makes one
// tick at a time advance it. Publishing a device's `jobs/notify` reaches it through the broker's
// message bus wherever it is connected.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { RolloutRow, RolloutStatus } from '../db/tables/rollouts.ts';
import { buildTopic } from '../mqtt/topics.ts';
import { JobNotify } from '../ota/ota-messages.ts';
import type { ServerPublish } from '../shadow/shadow-service.ts';
import { notifyList, cancelUnstartedJobs, hasActiveJobFor } from './job-repository.ts';
import { applyJobUpdate, type JobUpdateOutcome } from './job-updates.ts';
import type { CreateRolloutBody } from './rollout-config.ts';
import { createRollout, type CreateOutcome } from './rollout-creation.ts';
import { findRollout, rolloutsToTick, updateRollout } from './rollout-repository.ts';
import { dispatchForDevice, tickRollout } from './rollout-tick.ts';

export type ControlOutcome = { ok: true } | { ok: false; code: 'not-found' | 'conflict'; reason: string };

export interface RolloutService {
  create(body: CreateRolloutBody, actor: string | null): Promise<CreateOutcome>;
  pause(id: string, actor: string): Promise<ControlOutcome>;
  resume(id: string, actor: string): Promise<ControlOutcome>;
  cancel(id: string, actor: string): Promise<ControlOutcome>;
  /** A device reported on `jobs/<jobId>/update` (payload already JSON-decoded). */
  handleJobUpdate(deviceId: string, jobId: string, payload: unknown): Promise<JobUpdateOutcome>;
  /** A device subscribed to its `jobs/notify` (or reconnected to a stored session). */
  jobsWanted(deviceId: string): Promise<void>;
  /** For the chunk server: the device has an unfinished install job for this artifact. */
  mayFetch(deviceId: string, artifactId: string): Promise<boolean>;
  /** Evaluates every rollout that needs it (waves, gates, timeouts, dispatch). */
  tick(): Promise<void>;
  /** Calls `listener` after each evaluation of a rollout on this node (tests wait on it); returns the unsubscribe. */
  onEvaluated(listener: (rolloutId: string) => void): () => void;
  /** Resolves once the evaluations scheduled so far are done (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface RolloutServiceOptions {
  db: Kysely<Database>;
  publish: ServerPublish;
  clock?: () => number;
  /** Periodic tick (ms); 0 or absent: only on demand (tests call tick()). */
  tickIntervalMs?: number;
  onError?: (error: unknown, what: string) => void;
}

const MAX_NOTIFY_JOBS = JobNotify.properties.jobs.maxItems ?? 16;

export function createRolloutService(options: RolloutServiceOptions): RolloutService {
  const { db, publish } = options;
  const clock = options.clock ?? Date.now;
  const onError = options.onError ?? (() => {});
  const pending = new Set<Promise<unknown>>();
  // Evaluations on this node run one after another; other nodes are kept out by the row lock.
  let chain: Promise<void> = Promise.resolve();
  const scheduled = new Set<string>();
  const listeners = new Set<(rolloutId: string) => void>();
  let closed = false;

  function track<T>(promise: Promise<T>, what: string): Promise<T | undefined> {
    const p = promise.catch((error: unknown) => {
      onError(error, what);
      return undefined;
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  }

  async function publishList(deviceId: string): Promise<void> {
    const jobs = await notifyList(db, deviceId, MAX_NOTIFY_JOBS);
    await publish(buildTopic({ kind: 'jobs/notify', deviceId }), { v: 1, jobs } satisfies JobNotify);
  }

  async function publishLists(devices: Iterable<string>): Promise<void> {
    await Promise.all([...devices].map((d) => publishList(d)));
  }

  function evaluate(rolloutId: string): Promise<void> {
    const run = chain.then(async () => {
      scheduled.delete(rolloutId);
      const touched = await tickRollout({ db, now: clock() }, rolloutId);
      await publishLists(touched);
      for (const listener of listeners) listener(rolloutId);
    });
    chain = run.catch((error: unknown) => onError(error, `rollout ${rolloutId}`));
    return run;
  }

  /** Coalesces the evaluations many job updates of one rollout ask for. */
  function schedule(rolloutId: string): void {
    if (closed || scheduled.has(rolloutId)) return;
    scheduled.add(rolloutId);
    void track(evaluate(rolloutId), `rollout ${rolloutId}`);
  }

  async function tick(): Promise<void> {
    for (const id of await rolloutsToTick(db)) await evaluate(id).catch((error: unknown) => onError(error, `rollout ${id}`));
  }

  async function control(id: string, allowed: readonly RolloutStatus[], change: (trx: Transaction<Database>, rollout: RolloutRow) => Promise<string[]>): Promise<ControlOutcome> {
    const outcome = await db.transaction().execute(async (trx): Promise<ControlOutcome & { touched?: string[] }> => {
      const rollout = await findRollout(trx, id, { forUpdate: true });
      if (!rollout) return { ok: false, code: 'not-found', reason: `no rollout ${id}` };
      if (!allowed.includes(rollout.status)) return { ok: false, code: 'conflict', reason: `rollout ${id} is ${rollout.status}` };
      return { ok: true, touched: await change(trx, rollout) };
    });
    if (!outcome.ok) return outcome;
    await publishLists(outcome.touched ?? []);
    schedule(id);
    return { ok: true };
  }

  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  if (options.tickIntervalMs) {
    timer = setInterval(() => {
      if (ticking) return;
      ticking = true;
      void track(tick(), 'rollout tick').finally(() => (ticking = false));
    }, options.tickIntervalMs);
    timer.unref();
  }

  return {
    async create(body, actor) {
      const outcome = await createRollout(db, body, actor, clock());
      if (outcome.ok) schedule(outcome.id);
      return outcome;
    },
    pause: (id, actor) =>
      control(id, ['running'], async (trx) => {
        await updateRollout(trx, id, { status: 'paused', statusReason: `paused by ${actor}` }, new Date(clock()));
        return [];
      }),
    resume: (id) =>
      control(id, ['paused'], async (trx, rollout) => {
        // Resuming after a breach is the operator accepting that wave's outcome.
        const breached = rollout.status_reason?.startsWith(`wave ${rollout.current_wave + 1}:`) ?? false;
        await updateRollout(trx, id, { status: 'running', statusReason: null, ...(breached ? { acceptedWave: rollout.current_wave } : {}), gateStartedAt: rollout.gate_started_at ? new Date(clock()) : null }, new Date(clock()));
        return [];
      }),
    cancel: (id, actor) =>
      control(id, ['running', 'paused'], async (trx) => {
        const at = new Date(clock());
        const touched = await cancelUnstartedJobs(trx, id, `rollout cancelled by ${actor}`, at);
        await updateRollout(trx, id, { status: 'cancelled', statusReason: `cancelled by ${actor}` }, at);
        return touched;
      }),
    async handleJobUpdate(deviceId, jobId, payload) {
      const outcome = await applyJobUpdate(db, deviceId, jobId, payload, clock());
      if (outcome.kind === 'applied' && outcome.finished) {
        await publishList(deviceId);
        schedule(outcome.rolloutId);
      }
      return outcome;
    },
    async jobsWanted(deviceId) {
      await dispatchForDevice({ db, now: clock() }, deviceId);
      await publishList(deviceId);
    },
    mayFetch: (deviceId, artifactId) => hasActiveJobFor(db, deviceId, artifactId),
    tick,
    onEvaluated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await chain;
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await chain;
    },
  };
}

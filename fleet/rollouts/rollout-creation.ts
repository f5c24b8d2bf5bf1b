// Creating a rollout: the config with its defaults, the artifact's manifest facts, the plan over
// today's devices (waves, holdout, skipped with reasons), stored in one transaction. The first
// wave's jobs are created by the next tick, like every later wave's.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { isForeignKeyViolation } from '../db/constraint-violation.ts';
import { withDefaults, type CreateRolloutBody, type RolloutConfig } from './rollout-config.ts';
import { insertMemberships, insertRollout, loadCandidates, type Membership } from './rollout-repository.ts';
import { planRollout } from './wave-plan.ts';

/** One planned wave as stored in `rollouts.waves`; `holdout` marks the holdout's release. */
export interface StoredWave {
  percent: number;
  minSuccesses: number;
  maxFailureRate: number;
  size: number;
  holdout?: true;
}

export type CreateOutcome =
  | { ok: true; id: string }
  | { ok: false; code: 'bad-config' | 'unknown-artifact' | 'no-devices'; reason: string };

export async function createRollout(db: Kysely<Database>, body: CreateRolloutBody, actor: string | null, now: number): Promise<CreateOutcome> {
  const checked = withDefaults(body);
  if (!checked.ok) return { ok: false, code: 'bad-config', reason: checked.reason };
  const config: RolloutConfig = checked.config;
  const id = `r-${randomBytes(8).toString('hex')}`;
  try {
    return await db.transaction().execute(async (trx) => {
      const artifact = await trx.selectFrom('artifacts').select(['id', 'kind', 'version', 'hardware']).where('id', '=', body.artifact).executeTakeFirst();
      if (!artifact) return { ok: false, code: 'unknown-artifact', reason: `no artifact ${body.artifact}` } as const;
      const plan = planRollout(id, await loadCandidates(trx), { kind: artifact.kind, version: artifact.version, hardware: artifact.hardware }, config);
      if (plan.waves.length === 0) {
        const reason = plan.skipped.length > 0 ? `every targeted device was skipped (${plan.skipped.length}; e.g. ${plan.skipped[0]!.deviceId}: ${plan.skipped[0]!.reason})` : 'the target names no device';
        return { ok: false, code: 'no-devices', reason } as const;
      }
      const waves: StoredWave[] = plan.waves.map((w) => ({ percent: w.percent, minSuccesses: w.minSuccesses, maxFailureRate: w.maxFailureRate, size: w.devices.length }));
      const holdoutWave = waves.length;
      // The holdout is released once every wave passed its gate; its thresholds are the last wave's.
      if (plan.holdout.length > 0) waves.push({ ...waves.at(-1)!, percent: 100, size: plan.holdout.length, holdout: true });
      const members: Membership[] = [
        ...plan.waves.flatMap((w, i) => w.devices.map((deviceId) => ({ deviceId, role: 'wave' as const, wave: i, reason: null }))),
        ...plan.holdout.map((deviceId) => ({ deviceId, role: 'holdout' as const, wave: holdoutWave, reason: null })),
        ...plan.skipped.map((s) => ({ deviceId: s.deviceId, role: 'skipped' as const, wave: null, reason: s.reason })),
      ];
      await insertRollout(trx, { id, artifactId: artifact.id, name: config.name, config, waves, createdBy: actor, at: new Date(now) });
      await insertMemberships(trx, id, members);
      return { ok: true, id } as const;
    });
  } catch (error) {
    // The artifact was deleted between the read and the insert.
    if (isForeignKeyViolation(error)) return { ok: false, code: 'unknown-artifact', reason: `no artifact ${body.artifact}` };
    throw error;
  }
}

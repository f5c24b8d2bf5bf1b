// Frozen. Rollouts of an artifact to devices, the planned membership of each device (wave,
// holdout, or skipped with the reason), one job per device and action, and every job's history.
// A rollout keeps its artifact: `artifact_id` restricts deletion (the artifacts API answers 409).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rollouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('artifact_id', 'text', (c) => c.notNull().references('artifacts.id').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('waves', 'jsonb', (c) => c.notNull())
    .addColumn('current_wave', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('gate_started_at', 'timestamptz')
    .addColumn('gate_result', 'jsonb')
    // A wave whose thresholds the operator overrode by resuming after a breach.
    .addColumn('accepted_wave', 'integer')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('rollouts_status_idx').on('rollouts').column('status').execute();
  await db.schema.createIndex('rollouts_artifact_idx').on('rollouts').column('artifact_id').execute();

  await db.schema
    .createTable('rollout_devices')
    .addColumn('rollout_id', 'text', (c) => c.notNull().references('rollouts.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('wave', 'integer')
    .addColumn('reason', 'text')
    .addPrimaryKeyConstraint('rollout_devices_pk', ['rollout_id', 'device_id'])
    .execute();
  await db.schema.createIndex('rollout_devices_wave_idx').on('rollout_devices').columns(['rollout_id', 'wave']).execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rollout_id', 'text', (c) => c.notNull().references('rollouts.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('wave', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('progress_offset', 'bigint')
    .addColumn('device_t', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('state_since', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('jobs_rollout_device_action_key', ['rollout_id', 'device_id', 'action'])
    .execute();
  await db.schema.createIndex('jobs_device_state_idx').on('jobs').columns(['device_id', 'state']).execute();
  await db.schema.createIndex('jobs_rollout_wave_idx').on('jobs').columns(['rollout_id', 'wave', 'state']).execute();

  await db.schema
    .createTable('job_history')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('progress_offset', 'bigint')
    .addColumn('device_t', 'bigint')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('job_history_job_idx').on('job_history').columns(['job_id', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
